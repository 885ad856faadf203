/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* Live Markdown preview, rendered by the server exactly as saving would. The server budgets
     previews per member: on 429 wait as long as Retry-After says; a refusal (body too long, or too
     many previews) is shown in place of the preview, as text. */
  function setUpPreview(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview"));
    var url = textarea.getAttribute("data-preview-url");
    if (!target || !url) { return; }
    var timer = null;
    var last = null;
    var waitUntil = 0;
    function showNote(message) {
      var note = document.createElement("p");
      note.className = "muted preview-note";
      note.setAttribute("role", "status");
      note.textContent = message;
      target.innerHTML = "";
      target.appendChild(note);
    }
    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(render, Math.max(delay, waitUntil - Date.now()));
    }
    function render() {
      var body = textarea.value;
      if (body === last) { return; }
      if (Date.now() < waitUntil) { schedule(0); return; }
      last = body;
      if (!body.trim()) { target.innerHTML = ""; return; }
      var data = new URLSearchParams();
      data.set("body", body);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json" },
        body: data.toString()
      }).then(function (response) {
        if (response.status === 429) {
          var seconds = parseInt(response.headers.get("Retry-After"), 10);
          waitUntil = Date.now() + 1000 * (seconds > 0 ? seconds : 10);
          last = null;  /* preview this text again once the wait is over */
          schedule(0);
        }
        return response.json().then(function (json) {
          return { ok: response.ok, json: json };
        });
      }).then(function (result) {
        if (textarea.value !== body) { return; }
        if (result.ok && result.json) { target.innerHTML = result.json.html; }
        else if (result.json && result.json.error) { showNote(result.json.error.message); }
      }).catch(function () { /* keep the last preview */ });
    }
    textarea.addEventListener("input", function () { schedule(400); });
    if (textarea.value.trim()) { render(); }
  }

  /* Images in a post: paste, drop or choose one; it is uploaded (XHR, for its progress) to the
     server, which re-encodes it, and its Markdown is put where the cursor was. The preview then shows
     it. A refusal (not an image, too large, no budget yet) is shown as the server words it. */
  function setUpUploads(bar) {
    var textarea = document.getElementById(bar.getAttribute("data-upload-for"));
    var url = bar.getAttribute("data-upload-url");
    if (!textarea || !url || !window.FormData || !window.XMLHttpRequest) { return; }
    var input = bar.querySelector("input[type=file]");
    var progress = bar.querySelector("progress");
    var status = bar.querySelector(".upload-status");
    bar.hidden = false;
    function say(message, isError) {
      status.textContent = message;
      status.classList.toggle("is-error", !!isError);
    }
    function insert(markdown) {
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var value = textarea.value;
      if (typeof start !== "number") { start = end = value.length; }
      var before = value.slice(0, start), after = value.slice(end);
      var text = (before && !/\n$/.test(before) ? "\n" : "") + markdown + (after && !/^\n/.test(after) ? "\n" : "");
      textarea.value = before + text + after;
      var caret = before.length + text.length;
      textarea.setSelectionRange(caret, caret);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));  /* the preview follows */
    }
    var maxBytes = parseInt(bar.getAttribute("data-max-bytes"), 10) || 0;
    function upload(file) {
      if (!file) { return; }
      /* Above the cap the server would refuse it unread (a 413, or a closed connection for a very
         large file): say so at once, in the server's words, without sending it. */
      if (maxBytes && file.size > maxBytes) { say(bar.getAttribute("data-too-large"), true); return; }
      var data = new FormData();
      data.append("file", file, file.name || "screenshot.png");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      progress.value = 0;
      progress.hidden = false;
      say(bar.getAttribute("data-uploading"));
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) { progress.value = Math.round(100 * event.loaded / event.total); }
      };
      xhr.onload = function () {
        progress.hidden = true;
        var json = null;
        try { json = JSON.parse(xhr.responseText); } catch (e) { json = null; }
        if (xhr.status === 201 && json && json.url) {
          insert("![" + bar.getAttribute("data-alt") + "](" + json.url + ")");
          say(bar.getAttribute("data-done"));
        } else {
          var fallback = xhr.status === 413 ? "data-too-large" : "data-failed";
          say((json && json.error && json.error.message) || bar.getAttribute(fallback), true);
        }
      };
      xhr.onerror = function () { progress.hidden = true; say(bar.getAttribute("data-failed"), true); };
      xhr.send(data);
    }
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) { upload(input.files[0]); }
      input.value = "";
    });
    textarea.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      for (var i = 0; i < items.length; i++) {
        if (/^image\//.test(items[i].type)) { event.preventDefault(); upload(items[i]); return; }
      }
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") >= 0) {
        event.preventDefault();
        textarea.classList.add("is-dragover");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("is-dragover"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("is-dragover");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { event.preventDefault(); upload(files[0]); }
    });
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

  /* The weighted length under a post's fields (title, body, answer, comment), as the server counts
     it for their minimums (forum.core.text.weighted_length): a Chinese, Japanese or Korean character
     or a full-width form counts 2, an invisible character 0, anything else 1. Keep WIDE_RANGES equal
     to the Python list (tests/core/test_text.py compares them). Maximums stay characters. */
  var WIDE_RANGES = [
    [0x1100, 0x115F], [0x2E80, 0x2FDF], [0x2FF0, 0x2FFF], [0x3001, 0x303E], [0x3041, 0x33FF],
    [0x3400, 0x4DBF], [0x4E00, 0x9FFF], [0xA000, 0xA4CF], [0xA960, 0xA97F], [0xAC00, 0xD7A3],
    [0xF900, 0xFAFF], [0xFE10, 0xFE19], [0xFE30, 0xFE6F], [0xFF01, 0xFF60], [0xFFE0, 0xFFE6],
    [0x1B000, 0x1B16F], [0x20000, 0x3FFFD]
  ];
  var INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/u;

  function isWide(code) {
    for (var i = 0; i < WIDE_RANGES.length; i++) {
      if (code >= WIDE_RANGES[i][0] && code <= WIDE_RANGES[i][1]) { return true; }
    }
    return false;
  }

  function weightedLength(text) {
    var n = 0;
    for (var ch of text) {  /* by code point, as Python counts */
      if (INVISIBLE.test(ch)) { continue; }
      n += isWide(ch.codePointAt(0)) ? 2 : 1;
    }
    return n;
  }

  function setUpLengthHint(field) {
    var min = parseInt(field.getAttribute("data-min-length"), 10);
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var hint = document.createElement("span");
    hint.className = "char-counter length-hint";
    hint.setAttribute("aria-hidden", "true");  /* the field's help text and the server say it in words */
    field.insertAdjacentElement("afterend", hint);
    function update() {
      var text = field.value;
      if (field.tagName === "INPUT") { text = text.replace(/\s+/g, " "); }  /* titles: runs of spaces are one */
      text = text.trim();
      var n = weightedLength(text);
      var words = field.getAttribute(n < min ? "data-length-short" : "data-length-ok") || "";
      var line = words.replace("{n}", n).replace("{min}", min);
      if (max) {
        var chars = 0;
        for (var ch of text) { if (!INVISIBLE.test(ch)) { chars += 1; } }
        line += " · " + chars + " / " + max;
      }
      hint.textContent = line;
      hint.classList.toggle("is-short", n > 0 && n < min);
    }
    field.addEventListener("input", update);
    update();
  }

  /* Votes without a page reload; the form still works as a plain POST without this. */
  function setUpVote(form) {
    var message = form.querySelector(".vote-message");
    var timer = null;
    function show(text) {
      message.textContent = text;
      message.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(function () { message.hidden = true; }, 4000);
    }
    function render(myVote, score) {
      var up = form.querySelector(".vote-up");
      var down = form.querySelector(".vote-down");
      form.querySelector(".score-value").textContent = score;
      up.classList.toggle("is-on", myVote === 1);
      down.classList.toggle("is-on", myVote === -1);
      up.setAttribute("aria-pressed", myVote === 1 ? "true" : "false");
      down.setAttribute("aria-pressed", myVote === -1 ? "true" : "false");
      up.value = myVote === 1 ? "0" : "1";
      down.value = myVote === -1 ? "0" : "-1";
    }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) { return; }
      event.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      data.set("value", button.value);
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(),
                   "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (response) {
        if (response.status === 401) {
          window.location.href = form.getAttribute("data-login-url");
          return null;
        }
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (result) {
        if (!result) { return; }
        if (result.ok) { render(result.json.my_vote, result.json.score); message.hidden = true; }
        else { show(result.json.error ? result.json.error.message : "Error"); }
      }).catch(function () { show(form.getAttribute("data-offline-message")); });
    });
  }

  /* @mention completion in any textarea of a signed-in page. */
  function setUpMentions(textarea, url) {
    var menu = document.createElement("ul");
    menu.className = "mention-menu";
    menu.setAttribute("role", "listbox");
    menu.hidden = true;
    textarea.insertAdjacentElement("afterend", menu);
    textarea.parentNode.style.position = "relative";
    var active = -1;
    var timer = null;
    function prefix() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|[^A-Za-z0-9_.@])@([\p{L}\p{N}_.\-]{1,24})$/u.exec(before);
      return match ? match[2] : null;
    }
    function choose(name) {
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret).replace(/@([\p{L}\p{N}_.\-]{1,24})$/u, "@" + name + " ");
      textarea.value = before + textarea.value.slice(caret);
      textarea.selectionStart = textarea.selectionEnd = before.length;
      menu.hidden = true;
      textarea.focus();
      textarea.dispatchEvent(new Event("input"));
    }
    function show(names) {
      menu.innerHTML = "";
      active = -1;
      names.forEach(function (name) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.textContent = "@" + name;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(name); });
        menu.appendChild(item);
      });
      menu.style.top = (textarea.offsetTop + textarea.offsetHeight) + "px";
      menu.style.left = textarea.offsetLeft + "px";
      menu.hidden = names.length === 0;
    }
    textarea.addEventListener("input", function () {
      var query = prefix();
      clearTimeout(timer);
      if (!query) { menu.hidden = true; return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; }).then(show).catch(function () {});
      }, 150);
    });
    textarea.addEventListener("keydown", function (event) {
      if (menu.hidden) { return; }
      var items = menu.querySelectorAll("li");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(items[active].textContent.slice(1));
      } else if (event.key === "Escape") {
        menu.hidden = true;
      }
    });
    textarea.addEventListener("blur", function () { setTimeout(function () { menu.hidden = true; }, 150); });
  }

  /* Staff: a canned reply fills the reply box (without script, staff copy it by hand). */
  function setUpCanned(select) {
    var target = document.getElementById(select.getAttribute("data-canned-target"));
    select.addEventListener("change", function () {
      if (target && select.value) { target.value = select.value; target.focus(); }
    });
  }

  // Ask page: similar questions under the title while it is typed (the API answers in JSON), and
  // above them the active incidents the title names, so members learn of an outage before posting.
  function setUpSimilar(input) {
    var box = document.getElementById(input.getAttribute("data-similar"));
    if (!box) { return; }
    var list = box.querySelector("ul[data-questions]") || box.querySelector("ul");
    var heading = box.querySelector(".similar-title");
    var incidentBox = box.querySelector(".similar-incidents");
    var incidentList = box.querySelector("ul[data-incidents]");
    var timer = null;
    var last = "";
    function renderIncidents(incidents) {
      if (!incidentBox || !incidentList) { return 0; }
      incidentList.textContent = "";
      incidents.forEach(function (incident) {
        var li = document.createElement("li");
        var badge = document.createElement("span");
        badge.className = "badge incident-status incident-status-" + incident.status;
        badge.textContent = "● " + incident.status_title;
        var a = document.createElement("a");
        a.href = incident.url;
        a.target = "_blank";
        a.rel = "noopener";
        var strong = document.createElement("strong");
        strong.textContent = incident.title;
        a.appendChild(strong);
        li.appendChild(badge);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(a);
        incidentList.appendChild(li);
      });
      incidentBox.hidden = incidents.length === 0;
      return incidents.length;
    }
    function render(items, incidents) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.title;
        a.target = "_blank";
        a.rel = "noopener";
        li.appendChild(a);
        if (item.is_verified || item.is_accepted) {
          var badge = document.createElement("span");
          badge.className = "badge " + (item.is_verified ? "badge-verified" : "badge-solved");
          badge.textContent = item.is_verified ? "✔ " + box.getAttribute("data-verified") : "✓ " + box.getAttribute("data-solved");
          li.appendChild(document.createTextNode(" "));
          li.appendChild(badge);
        }
        var count = document.createElement("span");
        count.className = "muted";
        count.textContent = " · " + item.answer_count + " " + box.getAttribute("data-answers");
        li.appendChild(count);
        list.appendChild(li);
      });
      var shownIncidents = renderIncidents(incidents || []);
      list.hidden = items.length === 0;
      if (heading) { heading.hidden = items.length === 0; }
      box.hidden = items.length === 0 && shownIncidents === 0;
    }
    function lookUp() {
      var title = input.value.trim();
      if (title === last) { return; }
      last = title;
      if (title.length < 2) { render([], []); return; }
      fetch(box.getAttribute("data-url") + "?title=" + encodeURIComponent(title), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { if (input.value.trim() === title) { render(data.items || [], data.incidents || []); } })
        .catch(function () { /* offline: the page works without the list */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 300);
    });
    if (input.value) { lookUp(); }
  }

  /* Escape closes the open menu (a <details>: flag, redact) that holds the focus, and gives the
     focus back to its summary; Enter or Space on the summary opens it again. */
  function closeMenuOnEscape(event) {
    if (event.key !== "Escape" || !document.activeElement) { return; }
    var menu = document.activeElement.closest("details[open]");
    if (!menu) { return; }
    menu.open = false;
    menu.querySelector("summary").focus();
  }

  document.addEventListener("keydown", closeMenuOnEscape);

  /* The member's menu is a <details> that works without this; with it, a click elsewhere closes
     it, as people expect of a menu (Escape closes it as it closes every menu, above). */
  function setUpMenu(menu) {
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.user-menu").forEach(setUpMenu);
    document.querySelectorAll("input[data-similar]").forEach(setUpSimilar);
    document.querySelectorAll("select[data-canned-target]").forEach(setUpCanned);
    var completeUrl = document.body.getAttribute("data-complete-url");
    if (completeUrl) { document.querySelectorAll("textarea").forEach(function (t) { setUpMentions(t, completeUrl); }); }
    document.querySelectorAll("form[data-vote]").forEach(setUpVote);
    document.querySelectorAll("textarea[data-preview]").forEach(setUpPreview);
    document.querySelectorAll(".upload-bar[data-upload-for]").forEach(setUpUploads);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("input[maxlength].input:not([data-min-length])").forEach(setUpCounter);
    document.querySelectorAll("[data-min-length]").forEach(setUpLengthHint);
  });
})();
