/* 导办工作台 — 转人工 view and 回访 numbers (assistant/staff_handoff.py).  Plain JS, loaded after
 * common.js and before staff.js; staff.js calls Daoban.viewHandoffs(viewEl, id) for #handoffs[/id]
 * and Daoban.caseExtras(node, case) for each 差评工单.  Server text goes in with textContent only. */
(function () {
  "use strict";

  var el = window.Daoban.el;
  var API = "/staff/api";
  var withNumber = {};
  var CHANNELS = { web: "网页", wechat: "公众号", miniprogram: "小程序", api: "接口" };  // case ids that have a 回访 number (never the number itself)

  function api(path, opts) {
    opts = opts || {};
    var init = { method: opts.method || "GET", credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (opts.body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(opts.body); }
    return fetch(API + path, init).then(function (res) {
      if (res.status === 401) { location.href = "/staff/login"; throw new Error("请先登录"); }
      return res.json().catch(function () { return {}; }).then(function (b) {
        if (!res.ok) throw new Error((b && b.error && b.error.message) || ("请求失败（" + res.status + "）"));
        return b;
      });
    });
  }

  function time(iso) { return iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "—"; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function failIn(view) { return function (e) { view.appendChild(el("p", { className: "form-error", text: e.message })); }; }

  function list(view) {
    clear(view);
    view.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "转人工" }),
      el("span", { className: "muted", text: "说了“转人工”的会话。回复会显示在对方的网页或小程序对话里（对方页面打开时）。" })]));
    api("/handoffs").then(function (b) {
      if (!b.handoffs.length) { view.appendChild(el("p", { className: "empty", text: "没有转人工的会话。" })); return; }
      b.handoffs.forEach(function (h) {
        view.appendChild(el("article", { className: "case" + (h.status === "已关闭" ? " closed" : ""), "data-testid": "handoff" }, [
          el("div", { className: "case-head" }, [el("span", { className: "status", text: h.status }),
            el("span", { className: "muted", text: (CHANNELS[h.channel] || h.channel || "网页") + " · " + time(h.requested_at) + " · " + h.turns + " 句" }),
            el("span", { className: "owner", text: "处理人：" + (h.owner || "未处理") })]),
          el("p", { className: "case-q" }, [el("strong", { text: "最后一句：" }), h.last_question]),
          el("div", { className: "actions" }, [el("a", { className: "btn primary", "data-testid": "handoff-open",
            href: "#handoffs/" + encodeURIComponent(h.conversation_id), text: "查看并回复" })])
        ]));
      });
    }).catch(failIn(view));
  }

  function one(view, id) {
    clear(view);
    api("/handoffs/" + encodeURIComponent(id)).then(function (h) {
      view.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "转人工会话" }),
        el("a", { href: "#handoffs", className: "btn ghost-dark", text: "返回列表" })]));
      var log = el("div", { className: "handoff-log" });
      h.messages.forEach(function (m) {
        log.appendChild(el("p", { className: "turn " + m.role }, [el("strong", { text: m.role === "user" ? "问：" : "答：" }), m.text]));
      });
      h.replies.forEach(function (r) {
        log.appendChild(el("p", { className: "turn staff", "data-testid": "handoff-reply" }, [el("strong", { text: r.staff + "：" }), r.text]));
      });
      view.appendChild(log);
      if (h.channel === "wechat" || h.channel === "api") {  // only the web page and the mini-program show replies
        view.appendChild(el("p", { className: "form-error", text: "这位群众来自" + (CHANNELS[h.channel] || h.channel) + "，看不到这里的回复，请通过其他方式联系。" }));
      }
      var box = el("textarea", { rows: "3", maxlength: "1000", "data-testid": "handoff-text", "aria-label": "回复内容", placeholder: "回复内容（会显示在对方的对话里）" });
      view.appendChild(el("div", { className: "actions" }, [box,
        el("button", { type: "button", className: "btn primary", "data-testid": "handoff-send", text: "发送回复", onclick: function () {
          if (!box.value.trim()) return;
          api("/handoffs/" + encodeURIComponent(id) + "/reply", { method: "POST", body: { text: box.value } })
            .then(function () { one(view, id); }).catch(failIn(view));
        } }),
        el("button", { type: "button", className: "btn", text: "关闭", onclick: function () {
          api("/handoffs/" + encodeURIComponent(id) + "/close", { method: "POST", body: {} })
            .then(function () { location.hash = "#handoffs"; }).catch(failIn(view));
        } })]));
    }).catch(failIn(view));
  }

  window.Daoban.viewHandoffs = function (view, id) { return id ? one(view, id) : list(view); };

  /* 差评工单: a "回访电话" button where the person left a number; the number is fetched only on
   * request and only the assigned staff member gets it. */
  window.Daoban.caseExtras = function (node, c) {
    if (!withNumber[c.id] || c.status === "已办结") return;
    var out = el("span", { className: "muted", "data-testid": "callback-phone" });
    node.appendChild(el("p", { className: "callback-row" }, [
      el("button", { type: "button", className: "btn", "data-testid": "callback-show", text: "查看回访电话", onclick: function () {
        api("/cases/" + encodeURIComponent(c.id) + "/callback").then(function (b) {
          clear(out);
          out.appendChild(el("a", { href: "tel:" + b.phone, text: b.phone }));
        }).catch(function (e) { out.textContent = e.message; });
      } }), " ", out]));
  };
  window.Daoban.loadCallbacks = function () {
    return api("/callbacks").then(function (b) {
      withNumber = {};
      (b.cases || []).forEach(function (id) { withNumber[id] = true; });
    }).catch(function () { /* the button is just not shown */ });
  };
})();
