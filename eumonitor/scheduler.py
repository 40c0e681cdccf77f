"""APScheduler 3.x wiring only: cron triggers from config.toml to job functions, and a clean stop on signals."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job as ScheduledJob
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("eumonitor.scheduler")

Job = Callable[[], str]  # does the work and returns a one-line outcome for the log

# APScheduler's own log lines that matter to an operator, in bokmål; its other info lines (a job added,
# running, done) repeat what our own lines say and are dropped. Warnings not listed are kept as they are.
APSCHEDULER_NB = {
    "Scheduler started": "planleggeren startet",
    "Scheduler has been shut down": "planleggeren er stoppet",
    'Run time of job "%s" was missed by %s': "jobb %s ble ikke kjørt til planlagt tid (forsinket %s)",
    'Execution of job "%s" skipped: maximum number of running instances reached (%d)': (
        "jobb %s ble hoppet over: den kjører fortsatt fra forrige gang (%d samtidig)"
    ),
    'Job "%s" raised an exception': "jobb %s feilet",
    "Error running job %s": "feil under kjøring av jobb %s",
}
LEVELS_NB = {"DEBUG": "feilsøk", "INFO": "info", "WARNING": "advarsel", "ERROR": "feil", "CRITICAL": "kritisk"}


class NorwegianLog(logging.Filter):
    """Bokmål log lines: APScheduler's messages translated or dropped, level names in Norwegian."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("apscheduler"):
            wording = APSCHEDULER_NB.get(str(record.msg))
            if wording is None and record.levelno < logging.WARNING:
                return False
            if wording is not None:
                record.msg = wording
                record.args = tuple(a.name if isinstance(a, ScheduledJob) else a for a in (record.args or ()))
        record.nivå = LEVELS_NB.get(record.levelname, record.levelname.lower())
        return True


def configure_logging(timezone: str) -> None:
    """Log lines on stderr for the scheduler, in bokmål, timed on the city's clock."""
    handler = logging.StreamHandler()
    handler.addFilter(NorwegianLog())
    handler.setFormatter(ZonedFormatter("%(asctime)s %(nivå)s %(message)s", timezone))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def build_scheduler(timezone: str, jobs: Mapping[str, tuple[str, Job]]) -> BackgroundScheduler:
    """One cron job per entry (name -> (crontab line, job)); one job at a time, missed runs coalesced."""
    zone = ZoneInfo(timezone)
    scheduler = BackgroundScheduler(
        timezone=zone,
        # One worker: collecting and sending never overlap, and a slow collect delays the digest instead of racing it.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
    )
    for name, (cron, job) in jobs.items():
        trigger = CronTrigger.from_crontab(cron, timezone=zone)
        # Given per job as well: pending jobs only get job_defaults when the scheduler starts.
        scheduler.add_job(
            logged(name, job), trigger, id=name, name=name, coalesce=True, max_instances=1, misfire_grace_time=6 * 3600
        )
    return scheduler


def logged(name: str, job: Job) -> Callable[[], None]:
    """Run a job and log one line with its outcome; an exception is logged, never kills the scheduler."""

    def run() -> None:
        try:
            outcome = job()
        except Exception:  # noqa: BLE001 - the next scheduled run must still happen
            log.exception("jobb %s: FEIL", name)
            return
        log.info("jobb %s: %s", name, outcome)

    return run


def run_forever(scheduler: BackgroundScheduler) -> None:
    """Start and block; SIGTERM and Ctrl-C stop cleanly after the job that is running finishes.

    The scheduler runs in the background and the main thread waits on an event the signal handler sets:
    a signal that arrives before the scheduler has started still stops it (a blocking scheduler would
    miss it and run on).
    """
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("stopper (signal %s); venter på jobben som eventuelt kjører", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("jobb %s planlagt; neste kjøring %s", job.name, f"{job.next_run_time:%Y-%m-%d %H:%M %Z}")
    while not stopping.wait(timeout=1.0):
        pass
    scheduler.shutdown(wait=True)  # no new jobs; the one running (if any) finishes first
    log.info("stoppet")


class ZonedFormatter(logging.Formatter):
    """Log times on the city's clock ([schedule] timezone) with its abbreviation, whatever the server's zone."""

    def __init__(self, fmt: str, zone: str):
        super().__init__(fmt)
        self.zone = ZoneInfo(zone)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        moment = datetime.fromtimestamp(record.created, self.zone)
        return moment.strftime(datefmt or "%Y-%m-%d %H:%M:%S %Z")
