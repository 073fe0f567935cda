// Calendar access: the browser's time zone as a default, and the working-week editor (turn a
// day on or off, add and remove ranges, copy a day to all days). Without the script the
// form still works: each working day shows its ranges and one empty range more.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll("[data-browser-zone]").forEach(function (field) {
    if (zone) field.value = zone;
  });

  var form = document.getElementById("hours-form");
  if (!form) return;

  function minutes(text) { return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5)); }
  function clock(total) {
    var h = Math.floor(total / 60), m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function rangesOf(row) { return row.querySelectorAll(".range"); }

  function renumber(row) {
    var name = row.dataset.name;
    rangesOf(row).forEach(function (range, i) {
      var inputs = range.querySelectorAll("input[type=time]");
      inputs[0].setAttribute("aria-label", name + " range " + (i + 1) + ", from");
      inputs[1].setAttribute("aria-label", name + " range " + (i + 1) + ", to");
      inputs[0].id = row.dataset.day + "-start-" + (i + 1);
      inputs[1].id = row.dataset.day + "-end-" + (i + 1);
      range.querySelector(".remove-range").hidden = rangesOf(row).length < 2;
    });
  }

  function addRange(row, start, end) {
    var list = row.querySelector(".ranges");
    var copy = rangesOf(row)[0].cloneNode(true);
    var inputs = copy.querySelectorAll("input[type=time]");
    inputs[0].value = start; inputs[1].value = end;
    list.appendChild(copy);
    renumber(row);
    return inputs[0];
  }

  function setDay(row, on) {
    row.classList.toggle("day-off", !on);
    row.querySelectorAll("input[type=time], .day-actions button, .remove-range").forEach(function (el) {
      el.disabled = !on;
    });
  }

  form.querySelectorAll(".day-row").forEach(function (row) {
    // One empty range was added for use without the script: drop it when others exist.
    var ranges = rangesOf(row);
    if (ranges.length > 1) {
      var last = ranges[ranges.length - 1].querySelectorAll("input[type=time]");
      if (!last[0].value && !last[1].value) ranges[ranges.length - 1].remove();
    }
    row.querySelector(".day-actions").hidden = false;
    renumber(row);
    var toggle = row.querySelector(".day-toggle input");
    setDay(row, toggle.checked);
    toggle.addEventListener("change", function () { setDay(row, toggle.checked); });
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[type=button]");
    if (!button) return;
    var row = button.closest(".day-row");
    if (button.classList.contains("add-range")) {
      var lasts = rangesOf(row);
      var end = lasts[lasts.length - 1].querySelectorAll("input[type=time]")[1].value || "12:00";
      addRange(row, end, clock(Math.min(minutes(end) + 60, 23 * 60 + 59))).focus();
    } else if (button.classList.contains("remove-range")) {
      var range = button.closest(".range");
      var previous = range.previousElementSibling || range.nextElementSibling;
      range.remove();
      renumber(row);
      if (previous) previous.querySelector("input").focus();
    } else if (button.classList.contains("copy-day")) {
      var source = Array.prototype.map.call(rangesOf(row), function (r) {
        var inputs = r.querySelectorAll("input[type=time]");
        return [inputs[0].value, inputs[1].value];
      });
      form.querySelectorAll(".day-row").forEach(function (other) {
        if (other === row) return;
        var toggle = other.querySelector(".day-toggle input");
        if (!toggle.checked) return; // days off stay off
        var existing = rangesOf(other);
        for (var i = existing.length - 1; i > 0; i--) existing[i].remove();
        var first = existing[0].querySelectorAll("input[type=time]");
        first[0].value = source[0][0]; first[1].value = source[0][1];
        source.slice(1).forEach(function (pair) { addRange(other, pair[0], pair[1]); });
        renumber(other);
      });
      var status = document.getElementById("hours-status");
      if (status) status.textContent = row.dataset.name + "'s hours copied to every working day.";
    }
  });
})();
