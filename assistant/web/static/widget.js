/* 便民方舟 导办助手 — embeddable widget for any government website.
 *
 *   <script src="https://<assistant host>/widget.js" async></script>
 *   optional: data-label="导办" data-position="left|right" data-open="true"
 *
 * Adds a floating button (inside a shadow root, so the host page's CSS neither reaches nor is touched)
 * that opens the chat page of the same server (/?embed=1) in a sandboxed iframe.  The server fills in
 * the centre's name and colours (corpus/centre.yaml) where CONFIG is; the chat page may only be framed
 * by the origins in ASSISTANT_EMBED_ORIGINS (Content-Security-Policy: frame-ancestors). */
(function () {
  "use strict";

  var CONFIG = /*CONFIG*/{};
  var script = document.currentScript;
  if (!script || document.getElementById("daoban-widget")) return;
  var base = new URL(script.src, location.href).origin;
  var data = script.dataset || {};
  var name = CONFIG.short_name || CONFIG.name || "导办助手";
  var color = /^#[0-9a-fA-F]{6}$/.test(CONFIG.color || "") ? CONFIG.color : "#1557a0";
  var dark = /^#[0-9a-fA-F]{6}$/.test(CONFIG.dark || "") ? CONFIG.dark : color;
  var side = data.position === "left" ? "left" : "right";
  var label = (data.label || "导办").slice(0, 6);

  var host = document.createElement("div");
  host.id = "daoban-widget";
  host.setAttribute("data-testid", "daoban-widget");
  var root = host.attachShadow({ mode: "open" });

  var style = document.createElement("style");
  style.textContent =
    ":host{all:initial}" +
    ".btn{position:fixed;bottom:24px;" + side + ":24px;z-index:2147483646;width:64px;height:64px;border-radius:50%;" +
    "border:0;background:" + color + ";color:#fff;font:600 17px/1 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}" +
    ".btn:hover,.btn:focus-visible{background:" + dark + ";outline:3px solid #fff;outline-offset:-6px}" +
    ".panel{position:fixed;bottom:100px;" + side + ":24px;z-index:2147483647;width:400px;height:640px;" +
    "max-width:calc(100vw - 32px);max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;" +
    "border-radius:12px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3)}" +
    ".panel[hidden]{display:none}" +
    ".head{display:flex;align-items:center;justify-content:space-between;padding:8px 12px;background:" + color +
    ";color:#fff;font:600 15px/1.4 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif}" +
    ".close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px}" +
    "iframe{flex:1;width:100%;border:0}" +
    "@media (max-width:480px){.panel{left:0;right:0;bottom:0;width:100vw;height:100vh;max-width:none;max-height:none;border-radius:0}}";

  var button = document.createElement("button");
  button.type = "button";
  button.className = "btn";
  button.textContent = label;
  button.title = name + " 导办助手";
  button.setAttribute("aria-label", "打开" + name + "导办助手");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("data-testid", "widget-open");

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", name + "导办助手");
  var head = document.createElement("div");
  head.className = "head";
  var title = document.createElement("span");
  title.textContent = name + " · 导办助手";
  var close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "×";
  close.setAttribute("aria-label", "关闭");
  head.appendChild(title);
  head.appendChild(close);
  panel.appendChild(head);

  var frame = null;
  function open() {
    if (!frame) {  // loaded on first open only: a page view costs the host nothing
      frame = document.createElement("iframe");
      frame.src = base + "/?embed=1";
      frame.title = name + "导办助手";
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups " +
        "allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation");
      frame.setAttribute("referrerpolicy", "strict-origin");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
  }
  function hide() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () { if (panel.hidden) open(); else hide(); });
  close.addEventListener("click", hide);
  root.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) hide(); });

  root.appendChild(style);
  root.appendChild(panel);
  root.appendChild(button);
  function mount() {
    document.body.appendChild(host);
    if (data.open === "true") open();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
