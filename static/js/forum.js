/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* Live Markdown preview, rendered by the server exactly as saving would. */
  function setUpPreview(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview"));
    var url = textarea.getAttribute("data-preview-url");
    if (!target || !url) { return; }
    var timer = null;
    var last = null;
    function render() {
      var body = textarea.value;
      if (body === last) { return; }
      last = body;
      if (!body.trim()) { target.innerHTML = ""; return; }
      var data = new URLSearchParams();
      data.set("body", body);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (json) {
        if (json && textarea.value === body) { target.innerHTML = json.html; }
      }).catch(function () { /* keep the last preview */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 250);
    });
    if (textarea.value.trim()) { render(); }
  }

  /* Ask before destructive actions. */
  function setUpConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  /* Character counters under fields with a maxlength. */
  function setUpCounter(input) {
    var max = parseInt(input.getAttribute("maxlength"), 10);
    if (!max || input.type === "hidden") { return; }
    var counter = document.createElement("span");
    counter.className = "char-counter";
    counter.setAttribute("aria-hidden", "true");
    input.insertAdjacentElement("afterend", counter);
    function update() { counter.textContent = input.value.length + " / " + max; }
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-preview]").forEach(setUpPreview);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("input[maxlength].input").forEach(setUpCounter);
  });
})();
