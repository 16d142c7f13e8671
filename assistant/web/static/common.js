/* 便民方舟 导办助手 — helpers shared by the chat page (chat/dom.js) and the staff console (staff/dom.js).
 * Plain JS, no build step: load with <script src="/web/common.js" defer> before the page script
 * (deferred classic scripts and module scripts run in document order); everything is on window.Daoban. */
(function () {
  "use strict";

  var EVENTS = { onclick: true, onchange: true, onsubmit: true, oninput: true };

  /* el("div", {className: "row", text: "…", onclick: fn, value: "…", checked: true, "data-x": 1}, [child…])
   * text → textContent; className; on{click,change,submit,input} / value / checked → properties;
   * anything else → attribute (true → "", null/undefined/false → left out).
   * Children: nodes, strings and numbers (as text); null/undefined/false/"" are skipped. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "className") node.className = v;
        else if (EVENTS.hasOwnProperty(k)) node[k] = v;
        else if (k === "value") node.value = v;
        else if (k === "checked") node.checked = !!v;
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false || c === "") return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  var ns = window.Daoban = window.Daoban || {};
  ns.el = el;
})();
