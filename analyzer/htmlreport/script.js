(function () {
"use strict";
// Optional helpers; the report reads the same without them. Log text is
// only ever compared or copied here, never parsed as HTML.
var d = document;
d.documentElement.className += " js";

// Expand or collapse every evidence block.
var all = d.getElementById("expand-all");
if (all) {
  all.hidden = false;
  all.addEventListener("click", function () {
    var open = all.getAttribute("aria-pressed") !== "true";
    d.querySelectorAll("details.evidence").forEach(function (x) { x.open = open; });
    all.setAttribute("aria-pressed", open ? "true" : "false");
    all.textContent = open ? "Collapse all evidence" : "Expand all evidence";
  });
}

// Print the evidence and the event list opened.
var opened = [];
window.addEventListener("beforeprint", function () {
  d.querySelectorAll("details:not([open])").forEach(function (x) { x.open = true; opened.push(x); });
});
window.addEventListener("afterprint", function () {
  opened.forEach(function (x) { x.open = false; });
  opened = [];
});

// A copy button on each T-SQL block.
d.querySelectorAll("pre.sql").forEach(function (pre) {
  var b = d.createElement("button");
  b.type = "button";
  b.className = "copy";
  b.textContent = "Copy";
  b.addEventListener("click", function () {
    var text = pre.textContent;
    var done = function (ok) {
      b.textContent = ok ? "Copied" : "Press Ctrl+C";
      setTimeout(function () { b.textContent = "Copy"; }, 1500);
    };
    var select = function () {
      var r = d.createRange();
      r.selectNodeContents(pre);
      var s = window.getSelection();
      s.removeAllRanges();
      s.addRange(r);
      var ok = false;
      try { ok = d.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, select);
    } else {
      select();
    }
  });
  pre.parentNode.insertBefore(b, pre);
});

// Timeline filter: a server dims the other lanes of the picture; server,
// kind and text filter the event list.
var bar = d.getElementById("tl-filter");
var table = d.getElementById("events-table");
if (bar) {
  bar.hidden = false;
  var srv = d.getElementById("f-srv"), kind = d.getElementById("f-kind"), text = d.getElementById("f-text");
  var count = d.getElementById("f-count");
  var rows = table ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
  var lanes = d.querySelectorAll("#tl-svg g.lane");
  var apply = function () {
    var s = srv.value, k = kind.value, q = text.value.toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = (!s || r.getAttribute("data-srv") === s) && (!k || r.getAttribute("data-kind") === k) &&
        (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    lanes.forEach(function (l) { l.classList.toggle("dim", !!s && l.getAttribute("data-srv") !== s); });
    var filtered = !!(s || k || q);
    count.textContent = filtered && rows.length ? shown + " of " + rows.length + " events listed below" : "";
    if (filtered && table) { table.closest("details").open = true; }
  };
  srv.addEventListener("change", apply);
  kind.addEventListener("change", apply);
  text.addEventListener("input", apply);
  lanes.forEach(function (l) {
    var label = l.querySelector(".lane-label");
    label.addEventListener("click", function () {
      var v = l.getAttribute("data-srv");
      srv.value = srv.value === v ? "" : v;
      apply();
    });
  });
}
})();
