// The free/busy grid: lays each listed block on its day's timeline, and lets a click on the
// common free time book the slot under the pointer. The lists stay the content: screen
// readers and keyboards use them and the slot links as they are.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function draw(grid) {
    var first = Number(grid.dataset.first), last = Number(grid.dataset.last);
    var span = last - first;
    if (!(span > 0)) return;
    grid.querySelectorAll(".track li[data-start]").forEach(function (item) {
      var start = Math.max(Number(item.dataset.start), first);
      var end = Math.min(Number(item.dataset.end), last);
      item.style.left = ((start - first) / span) * 100 + "%";
      item.style.width = (Math.max(end - start, 0) / span) * 100 + "%";
      item.title = item.textContent;
    });
    var axis = document.createElement("div");
    axis.className = "axis";
    axis.setAttribute("aria-hidden", "true");
    var step = span > 12 * 60 ? 180 : span > 8 * 60 ? 120 : 60;
    for (var minute = first; minute < last; minute += step) {
      var tick = document.createElement("span");
      tick.textContent = pad(Math.floor(minute / 60) % 24) + ":00";
      tick.style.left = ((minute - first) / span) * 100 + "%";
      axis.appendChild(tick);
    }
    grid.insertBefore(axis, grid.firstChild);
    grid.classList.add("drawn");
  }

  function slotAt(day, minute) {
    var best = null;
    day.querySelectorAll("a.slot[data-minute]").forEach(function (link) {
      var at = Number(link.dataset.minute);
      if (at <= minute && (!best || at > Number(best.dataset.minute))) best = link;
    });
    return best || day.querySelector("a.slot[data-minute]");
  }

  document.querySelectorAll(".grid[data-first]").forEach(draw);

  document.addEventListener("click", function (event) {
    var free = event.target.closest(".grid.drawn .free");
    if (!free) return;
    var grid = free.closest(".grid");
    var track = free.parentElement.getBoundingClientRect();
    var first = Number(grid.dataset.first), last = Number(grid.dataset.last);
    var minute = first + ((event.clientX - track.left) / track.width) * (last - first);
    minute = Math.max(minute, Number(free.dataset.start));
    var link = slotAt(free.closest(".day"), minute);
    if (link) window.location.assign(link.href);
  });
})();
