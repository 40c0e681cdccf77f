"""Prints the shape of eumonitor's import graph: modules, internal imports, circles, longest chain, top level.

Run from the repository root: `.venv/bin/python -m benchmarks.imports`. With PYTHONPATH pointing at an older
checkout (e.g. a `git worktree` of b8bd7f2), it prints the same figures for that tree, for a before/after.
"""

from __future__ import annotations

from functools import cache

import grimp


def strongly_connected(modules: list[str], imports: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: groups of modules that import each other, directly or round a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            groups.append([*group, module])

    for module in modules:
        if module not in index:
            visit(module)
    return groups


def main() -> None:
    graph = grimp.build_graph("eumonitor")
    modules = sorted(graph.modules)
    imports = {m: {o for o in graph.find_modules_directly_imported_by(m) if o.startswith("eumonitor")} for m in modules}
    groups = strongly_connected(modules, imports)
    group_of = {m: i for i, group in enumerate(groups) for m in group}
    above = {i: {group_of[o] for m in group for o in imports[m]} - {i} for i, group in enumerate(groups)}

    @cache
    def chain(i: int) -> int:
        return 1 + max((chain(j) for j in above[i]), default=0)

    circles = [sorted(g) for g in groups if len(g) > 1]
    top = sorted(m.split(".")[1] for m in modules if m.count(".") == 1 and not graph.find_children(m))
    print(f"moduler: {len(modules)}, interne importer: {sum(map(len, imports.values()))}")
    print(f"lengste importkjede: {max(map(chain, range(len(groups))))} moduler")
    print(f"sirkler: {len(circles)}")
    for circle in circles:
        print("  " + " <-> ".join(circle))
    print(f"moduler på toppnivå ({len(top)}): {', '.join(top)}")


if __name__ == "__main__":
    main()
