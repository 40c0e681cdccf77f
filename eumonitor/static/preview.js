// Live preview of a profile edit: after a pause in typing, post the form to the preview URL and swap the section.
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (!form || !window.fetch) { return; }
  var timer = null;
  var sent = 0;
  function refresh() {
    var mine = ++sent;
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (mine !== sent) { return; }  // an older answer arriving late must not overwrite a newer one
        var old = document.getElementById("preview");
        var box = document.createElement("div");
        box.innerHTML = html;
        if (old && box.firstElementChild) { old.replaceWith(box.firstElementChild); }
      })
      .catch(function () { /* the Forhåndsvis button still works without script */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
}());
