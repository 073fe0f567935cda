// People picker: an ARIA combobox over GET /api/v1/people. Typing searches colleagues by name
// or address; arrow keys move through the matches, Enter picks one, Escape closes. A pick
// becomes a ticked checkbox in the "chosen" list, which is what the form sends.
(function () {
  "use strict";
  var input = document.getElementById("find-person");
  var list = document.getElementById("person-options");
  var chosen = document.getElementById("chosen");
  var status = document.getElementById("person-status");
  if (!input || !list || !chosen || !window.fetch) return;

  input.removeAttribute("name"); // with the script, only picked people are sent
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var results = [], active = -1, timer = null, asked = 0;

  function isChosen(email) {
    return !!chosen.querySelector('input[value="' + CSS.escape(email) + '"]:checked');
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(people) {
    results = people.filter(function (p) { return !isChosen(p.email); });
    list.textContent = "";
    results.forEach(function (person, i) {
      var option = document.createElement("li");
      option.id = "person-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "option-name";
      name.textContent = person.name || person.email;
      var meta = document.createElement("span");
      meta.className = "person-meta";
      meta.textContent = person.email + " · " + city(person.time_zone) + ", " + person.local_time + " there now";
      option.appendChild(name);
      option.appendChild(document.createTextNode(" "));
      option.appendChild(meta);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      list.appendChild(option);
    });
    var words = results.length ? results.length + " colleague" + (results.length === 1 ? "" : "s") + " found" : "No colleague found";
    status.textContent = words;
    if (results.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    } else {
      close();
    }
  }

  function city(zone) { return zone.split("/").pop().replace(/_/g, " "); }

  function search() {
    var text = input.value.trim();
    if (!text) { close(); status.textContent = ""; return; }
    var ticket = ++asked;
    fetch(input.dataset.api + "?limit=10&q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (people) { if (ticket === asked) show(people); })
      .catch(function () { if (ticket === asked) status.textContent = "Could not search just now"; });
  }

  function pick(index) {
    var person = results[index];
    if (!person) return;
    var n = chosen.children.length + 1;
    while (document.getElementById("with-" + n)) n += 1;
    var item = document.createElement("li");
    var box = document.createElement("input");
    box.type = "checkbox"; box.name = "with"; box.value = person.email; box.id = "with-" + n; box.checked = true;
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = (person.name || person.email) + " ";
    var meta = document.createElement("span");
    meta.className = "person-meta";
    meta.textContent = person.email + " · " + city(person.time_zone) + ", " + person.local_time + " there now";
    label.appendChild(meta);
    item.appendChild(box);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(label);
    chosen.appendChild(item);
    input.value = "";
    close();
    status.textContent = (person.name || person.email) + " added";
    input.focus();
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { search(); return; }
      mark(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) mark(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      if (open && active >= 0) { event.preventDefault(); pick(active); }
      else if (open && results.length === 1) { event.preventDefault(); pick(0); }
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
