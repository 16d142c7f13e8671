/* 导办工作台 — staff console.  Plain JS, no build step, no CDN; charts are inline SVG.
 * Talks to /staff/api/* with the sign-in cookie; a 401 sends the browser to /staff/login.
 * Everything from the server is put into the page with textContent (never innerHTML). */
(function () {
  "use strict";

  var API = "/staff/api";
  var SVGNS = "http://www.w3.org/2000/svg";
  var KIND_LABELS = { guide: "办事指引", policy: "政策解答", clarify: "澄清", refuse: "拒答", handoff: "转人工", chitchat: "寒暄" };
  var CHANNEL_LABELS = { web: "网页", wechat: "公众号", miniprogram: "小程序", api: "接口" };
  var RATING_COLORS = { "非常满意": "#1d8a4f", "满意": "#5cae6e", "基本满意": "#c9a227", "不满意": "#e07b39", "非常不满意": "#c8372d" };
  var me = null;
  var items = null;  // [{id,name,department}]
  var viewEl, toastEl;
  var routeSeq = 0;  // bumped by every route(): a view's data that arrives after the user moved on is dropped
  var state = { conv: {}, cases: {}, gaps: {}, days: 30 };

  // ------------------------------------------------------------ helpers
  var el = window.Daoban.el;  // common.js

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function fmtTime(iso) { return iso ? iso.slice(0, 16).replace("T", " ") : "—"; }
  function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + "%"; }
  function kindBadge(kind) { return el("span", { className: "kind kind-" + kind, text: KIND_LABELS[kind] || kind || "—" }); }
  function channelLabel(c) { return CHANNEL_LABELS[c] || c || "网页"; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function toast(msg, bad) {
    toastEl.textContent = msg;
    toastEl.className = "toast" + (bad ? " bad" : "");
    toastEl.hidden = false;
    clearTimeout(toast._t);
    toast._t = setTimeout(function () { toastEl.hidden = true; }, 4000);
  }

  /* A GET made for one view and answered after the user has opened another view (route() ran since)
   * never settles: otherwise a slow 看板 load that comes back after a click on 批量核对 or 知识库 would clear
   * the view and draw the dashboard over it.  ``opts.keep``: not a view's data (the nav badge). */
  function api(path, opts) {
    opts = opts || {};
    var seq = routeSeq;
    var init = { method: opts.method || "GET", credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    return fetch(API + path, init).then(function (res) {
      if (res.status === 401) { location.href = "/staff/login"; throw new Error("请先登录"); }
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || ("请求失败（" + res.status + "）"));
        return body;
      });
    }).then(function (body) {
      return stale() ? new Promise(function () {}) : body;
    }, function (err) {
      if (stale()) return new Promise(function () {});
      throw err;
    });

    function stale() { return init.method === "GET" && !opts.keep && seq !== routeSeq; }
  }

  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === null || v === undefined || v === "" || v === false) return;
      parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function loading(title) {
    clear(viewEl);
    viewEl.appendChild(el("h2", { text: title }));
    var p = el("p", { className: "muted", text: "加载中…" });
    viewEl.appendChild(p);
    return p;
  }

  function fail(err) {
    viewEl.appendChild(el("p", { className: "form-error", role: "alert", text: err.message || String(err) }));
  }

  function loadItems() {
    if (items) return Promise.resolve(items);
    return api("/items").then(function (b) { items = b.items; return items; });
  }

  function itemSelect(id, value, anyLabel, label) {
    var sel = el("select", { id: id, "data-testid": id, "aria-label": label || "事项" });
    if (anyLabel) sel.appendChild(el("option", { value: "", text: anyLabel }));
    (items || []).forEach(function (it) {
      var o = el("option", { value: it.id, text: it.name });
      if (it.id === value || it.name === value) o.selected = true;
      sel.appendChild(o);
    });
    return sel;
  }

  function field(label, input) {
    return el("label", { className: "field" }, [el("span", { text: label }), input]);
  }

  // label: the select's accessible name when it is not wrapped in field() (axe-core select-name)
  function select(id, options, value, label) {
    var s = el("select", { id: id, "data-testid": id });
    if (label) s.setAttribute("aria-label", label);
    options.forEach(function (o) {
      var opt = el("option", { value: o[0], text: o[1] });
      if (String(o[0]) === String(value || "")) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }

  // answer text with [n] markers as small tags; everything else as text
  function answerNode(text) {
    var p = el("div", { className: "answer-text" });
    String(text || "").split(/(\[\d{1,3}\])/).forEach(function (part) {
      if (/^\[\d{1,3}\]$/.test(part)) p.appendChild(el("sup", { className: "ref", text: part }));
      else if (part) p.appendChild(document.createTextNode(part));
    });
    return p;
  }

  // ------------------------------------------------------------ charts (inline SVG)
  function barChart(rows, opts) {
    // rows: [{label, value, color?}] horizontal bars
    opts = opts || {};
    var w = opts.width || 420, barH = 22, gap = 8, labelW = opts.labelWidth || 130;
    var h = Math.max(1, rows.length) * (barH + gap) + 4;
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    var root = svg("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img",
      "aria-label": opts.title || "", "class": "chart" });
    if (!rows.length) {
      root.setAttribute("viewBox", "0 0 " + w + " 30");
      root.appendChild(svg("text", { x: 4, y: 20, "class": "chart-empty", text: "暂无数据" }));
      return root;
    }
    rows.forEach(function (r, i) {
      var y = i * (barH + gap) + 2;
      var bw = Math.max(2, (w - labelW - 48) * r.value / max);
      var label = r.label.length > 9 ? r.label.slice(0, 9) + "…" : r.label;
      var g = svg("g", {}, [
        svg("title", { text: r.label + "：" + r.value }),
        svg("text", { x: labelW - 6, y: y + barH * 0.7, "text-anchor": "end", "class": "chart-label", text: label }),
        svg("rect", { x: labelW, y: y, width: bw, height: barH, rx: 3, fill: r.color || "#1557a0" }),
        svg("text", { x: labelW + bw + 6, y: y + barH * 0.7, "class": "chart-value", text: String(r.value) })
      ]);
      root.appendChild(g);
    });
    return root;
  }

  function dayChart(days) {
    // per-day questions (bars) with refusals stacked in orange
    var w = 760, h = 220, left = 36, bottom = 28, top = 10;
    var n = days.length || 1;
    var max = Math.max.apply(null, days.map(function (d) { return d.total; }).concat([1]));
    var step = (w - left - 8) / n, bw = Math.max(2, step * 0.7);
    var root = svg("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img", "aria-label": "每日问题数", "class": "chart" });
    var ticks = max >= 2 ? [0, Math.round(max / 2), max] : [0, max];
    ticks.forEach(function (t) {
      var y = h - bottom - (h - bottom - top) * t / max;
      root.appendChild(svg("line", { x1: left, x2: w - 4, y1: y, y2: y, "class": "grid" }));
      root.appendChild(svg("text", { x: left - 4, y: y + 4, "text-anchor": "end", "class": "chart-axis", text: String(t) }));
    });
    days.forEach(function (d, i) {
      var x = left + i * step + (step - bw) / 2;
      var hTot = (h - bottom - top) * d.total / max;
      var hRef = (h - bottom - top) * d.refuse / max;
      root.appendChild(svg("g", {}, [
        svg("title", { text: d.date + "：问题 " + d.total + "，拒答 " + d.refuse }),
        svg("rect", { x: x, y: h - bottom - hTot, width: bw, height: Math.max(0, hTot - hRef), fill: "#1557a0", rx: 1 }),
        svg("rect", { x: x, y: h - bottom - hRef, width: bw, height: hRef, fill: "#e8831a", rx: 1 })
      ]));
      var every = Math.ceil(n / 10);
      if (i % every === 0 || i === n - 1) {
        root.appendChild(svg("text", { x: x + bw / 2, y: h - 8, "text-anchor": "middle", "class": "chart-axis", text: d.date.slice(5) }));
      }
    });
    return root;
  }

  function donut(rows) {
    var total = rows.reduce(function (s, r) { return s + r.value; }, 0);
    var root = svg("svg", { viewBox: "0 0 120 120", width: "120", height: "120", role: "img", "aria-label": "评价分布", "class": "donut" });
    if (!total) {
      root.appendChild(svg("circle", { cx: 60, cy: 60, r: 44, fill: "none", stroke: "#dde3ea", "stroke-width": 18 }));
      root.appendChild(svg("text", { x: 60, y: 64, "text-anchor": "middle", "class": "chart-empty", text: "暂无评价" }));
      return root;
    }
    var c = 2 * Math.PI * 44, offset = 0;
    rows.forEach(function (r) {
      if (!r.value) return;
      var len = c * r.value / total;
      root.appendChild(svg("circle", { cx: 60, cy: 60, r: 44, fill: "none", stroke: r.color, "stroke-width": 18,
        "stroke-dasharray": len + " " + (c - len), "stroke-dashoffset": -offset, transform: "rotate(-90 60 60)" },
        [svg("title", { text: r.label + "：" + r.value })]));
      offset += len;
    });
    root.appendChild(svg("text", { x: 60, y: 66, "text-anchor": "middle", "class": "donut-total", text: String(total) }));
    return root;
  }

  function card(title, body, extra) {
    return el("section", { className: "card" + (extra ? " " + extra : "") }, [el("h3", { text: title })].concat(body));
  }

  function kpi(label, value, testid, tone) {
    return el("div", { className: "kpi" + (tone ? " " + tone : ""), "data-testid": testid }, [
      el("div", { className: "kpi-value", text: value }), el("div", { className: "kpi-label", text: label })]);
  }

  // ------------------------------------------------------------ dashboard
  function viewDashboard() {
    loading("看板");
    api("/dashboard" + qs({ days: state.days })).then(function (d) {
      clear(viewEl);
      var range = select("dash-days", [[7, "近 7 天"], [30, "近 30 天"], [90, "近 90 天"], [365, "近一年"]], state.days, "统计时间范围");
      range.onchange = function () { state.days = +range.value; viewDashboard(); };
      viewEl.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "看板" }),
        el("span", { className: "muted", text: d.start + " 至 " + d.end }), range]));
      viewEl.appendChild(el("div", { className: "kpis", "data-testid": "dashboard-kpis" }, [
        kpi("问题数", String(d.questions), "kpi-questions"),
        kpi("会话数", String(d.conversations), "kpi-conversations"),
        kpi("拒答率", pct(d.refusal_rate), "kpi-refusal", d.refusal_rate > 0.2 ? "warn" : ""),
        kpi("满意率（基本满意及以上）", pct(d.satisfaction), "kpi-satisfaction"),
        kpi("评价数 / 参评率", d.rated + " / " + pct(d.rating_rate), "kpi-rated"),
        kpi("待办工单 / 超期", d.cases.open + " / " + d.cases.overdue, "kpi-cases", d.cases.overdue ? "danger" : ""),
        kpi("人工审核答案 / 已使用", d.curated.active + " / " + d.curated.answers, "kpi-curated")
      ]));
      var legend = el("p", { className: "legend" }, [el("span", { className: "sw", style: "background:#1557a0" }), "问题 ",
        el("span", { className: "sw", style: "background:#e8831a" }), "其中拒答"]);
      var grid = el("div", { className: "grid2" }, [
        card("每日问题数", [dayChart(d.per_day), legend], "wide chart-per-day"),
        card("渠道", [barChart(d.channels.map(function (c) { return { label: channelLabel(c.channel), value: c.count }; }), { title: "渠道" })], "chart-channels"),
        card("热门事项", [barChart(d.top_items.map(function (c) { return { label: c.name, value: c.count }; }), { title: "热门事项", labelWidth: 160 })], "chart-items"),
        card("评价分布（好差评）", [el("div", { className: "donut-wrap" }, [
          donut(d.ratings.map(function (r) { return { label: r.rating, value: r.count, color: RATING_COLORS[r.rating] }; })),
          barChart(d.ratings.map(function (r) { return { label: r.rating, value: r.count, color: RATING_COLORS[r.rating] }; }), { title: "评价", labelWidth: 90, width: 300 })
        ])], "chart-ratings"),
        card("回答类型", [barChart(Object.keys(d.kinds).map(function (k) { return { label: KIND_LABELS[k] || k, value: d.kinds[k], color: k === "refuse" ? "#e8831a" : "#1557a0" }; }), { title: "回答类型" })], "chart-kinds")
      ]);
      viewEl.appendChild(grid);
      if (window.Daoban.dashboardExtras) window.Daoban.dashboardExtras(viewEl);  // staff_cases.js: overdue list
    }).catch(fail);
  }

  // ------------------------------------------------------------ conversations
  function viewConversations() {
    var f = state.conv;
    loading("会话记录");
    loadItems().then(function () {
      clear(viewEl);
      viewEl.appendChild(el("h2", { text: "会话记录" }));
      var form = el("form", { className: "filters", "data-testid": "conv-filters" }, [
        field("开始日期", el("input", { type: "date", id: "f-start", value: f.start || "" })),
        field("结束日期", el("input", { type: "date", id: "f-end", value: f.end || "" })),
        field("渠道", select("f-channel", [["", "全部"], ["web", "网页"], ["wechat", "公众号"], ["miniprogram", "小程序"]], f.channel)),
        field("类型", select("f-kind", [["", "全部"]].concat(Object.keys(KIND_LABELS).map(function (k) { return [k, KIND_LABELS[k]]; })), f.kind)),
        field("评价", select("f-rating", [["", "全部"], ["bad", "不满意及以下"], ["good", "基本满意及以上"], ["rated", "已评价"], ["unrated", "未评价"],
          ["非常满意", "非常满意"], ["满意", "满意"], ["基本满意", "基本满意"], ["不满意", "不满意"], ["非常不满意", "非常不满意"]], f.rating)),
        field("事项", itemSelect("f-item", f.item, "全部事项")),
        field("核对", select("f-review", [["", "全部"], ["unreviewed", "未核对"], ["correct", "正确"], ["wrong", "有误"]], f.review)),
        field("关键词", el("input", { type: "search", id: "f-q", value: f.q || "", placeholder: "问题或回答中的词", "data-testid": "f-q" })),
        el("div", { className: "filter-actions" }, [el("button", { type: "submit", className: "btn primary", text: "筛选", "data-testid": "conv-search" })])
      ]);
      form.onsubmit = function (e) {
        e.preventDefault();
        state.conv = { start: form.querySelector("#f-start").value, end: form.querySelector("#f-end").value,
          channel: form.querySelector("#f-channel").value, kind: form.querySelector("#f-kind").value,
          rating: form.querySelector("#f-rating").value, item: form.querySelector("#f-item").value,
          review: form.querySelector("#f-review").value, q: form.querySelector("#f-q").value, page: 1 };
        loadConvList(list);
      };
      viewEl.appendChild(form);
      var list = el("div", { id: "conv-list" });
      viewEl.appendChild(list);
      loadConvList(list);
    }).catch(fail);
  }

  function loadConvList(list) {
    var f = state.conv;
    clear(list).appendChild(el("p", { className: "muted", text: "加载中…" }));
    api("/conversations" + qs({ start: f.start, end: f.end, channel: f.channel, kind: f.kind, rating: f.rating,
      item: f.item, review: f.review, q: f.q, page: f.page || 1 })).then(function (b) {
      clear(list);
      list.appendChild(el("p", { className: "muted", "data-testid": "conv-count",
        text: b.start + " 至 " + b.end + "：" + b.total + " 个会话，" + b.turns + " 条回答符合条件" + (b.truncated ? "（只扫描了最近的记录）" : "") }));
      if (!b.conversations.length) { list.appendChild(el("p", { className: "empty", text: "没有符合条件的会话。" })); return; }
      var tbody = el("tbody");
      b.conversations.forEach(function (c) {
        var kinds = el("span", { className: "kinds" });
        Object.keys(c.kinds).forEach(function (k) { kinds.appendChild(kindBadge(k)); });
        var tr = el("tr", { className: "clickable" + (c.worst_score !== null && c.worst_score <= 2 ? " bad-row" : ""),
          "data-testid": "conv-row", tabindex: "0" }, [
          el("td", { text: fmtTime(c.last_at) }),
          el("td", { text: channelLabel(c.channel) }),
          el("td", { className: "q-cell" }, [el("a", { href: "#conversation/" + encodeURIComponent(c.id), text: c.questions.join(" / ") || "（无）" })]),
          el("td", {}, [kinds]),
          el("td", { text: c.items.join("、") || "—" }),
          el("td", { text: c.worst_rating || "—", className: c.worst_score !== null && c.worst_score <= 2 ? "bad" : "" }),
          el("td", { text: (c.wrong ? "有误 " + c.wrong : "") + (c.correct ? " 正确 " + c.correct : "") || "—" })
        ]);
        tr.onclick = function (e) { if (e.target.tagName !== "A") location.hash = "#conversation/" + encodeURIComponent(c.id); };
        tr.onkeydown = function (e) { if (e.key === "Enter") location.hash = "#conversation/" + encodeURIComponent(c.id); };
        tbody.appendChild(tr);
      });
      list.appendChild(el("div", { className: "table-wrap" }, [el("table", { className: "table" }, [
        el("thead", {}, [el("tr", {}, ["最近时间", "渠道", "问题", "类型", "事项", "评价", "核对"].map(function (h) { return el("th", { text: h }); }))]),
        tbody])]));
      var pages = Math.ceil(b.total / b.size);
      if (pages > 1) {
        var nav = el("div", { className: "pager" });
        if (b.page > 1) nav.appendChild(el("button", { type: "button", className: "btn", text: "上一页", onclick: function () { state.conv.page = b.page - 1; loadConvList(list); } }));
        nav.appendChild(el("span", { className: "muted", text: "第 " + b.page + " / " + pages + " 页" }));
        if (b.page < pages) nav.appendChild(el("button", { type: "button", className: "btn", text: "下一页", onclick: function () { state.conv.page = b.page + 1; loadConvList(list); } }));
        list.appendChild(nav);
      }
    }).catch(function (e) { clear(list); list.appendChild(el("p", { className: "form-error", text: e.message })); });
  }

  // ------------------------------------------------------------ one conversation
  function viewConversation(id) {
    loading("会话详情");
    Promise.all([loadItems(), api("/conversations/" + encodeURIComponent(id))]).then(function (r) {
      var c = r[1];
      clear(viewEl);
      viewEl.appendChild(el("div", { className: "view-head" }, [
        el("a", { href: "#conversations", className: "btn ghost-dark", text: "← 返回列表" }),
        el("h2", { text: "会话详情" }),
        el("span", { className: "muted", text: channelLabel(c.channel) + " · " + fmtTime(c.created_at) + " 开始 · " + c.turns.length + " 轮" })
      ]));
      c.turns.forEach(function (t) { viewEl.appendChild(turnNode(t, id)); });
      if (!c.turns.length) viewEl.appendChild(el("p", { className: "empty", text: "这个会话还没有回答。" }));
    }).catch(fail);
  }

  function turnNode(t, convId) {
    var node = el("article", { className: "turn", "data-testid": "turn", "data-message-id": t.id, id: "turn-" + t.id });
    node.appendChild(el("div", { className: "q" }, [el("span", { className: "who-tag", text: "问" }), el("p", { text: t.question || "（无）" })]));
    var head = el("div", { className: "a-head" }, [kindBadge(t.kind), el("span", { className: "muted", text: fmtTime(t.created_at) })]);
    if (t.items.length) head.appendChild(el("span", { className: "items-tag", text: "事项：" + t.items.join("、") }));
    if (t.feedback) {
      head.appendChild(el("span", { className: "rating-tag" + (t.feedback.score <= 2 ? " bad" : ""), "data-testid": "turn-rating",
        text: "评价：" + t.feedback.rating + (t.feedback.tags.length ? "（" + t.feedback.tags.join("、") + "）" : "") }));
    }
    if (t.case) {
      head.appendChild(el("a", { href: "#cases", className: "case-tag" + (t.case.overdue ? " overdue" : ""),
        text: "工单：" + t.case.status + (t.case.overdue ? "（超期）" : "") }));
    }
    node.appendChild(el("div", { className: "a" }, [el("span", { className: "who-tag a-tag", text: "答" }),
      el("div", { className: "a-body" }, [head, answerNode(t.answer)])]));
    if (t.feedback && t.feedback.text) node.appendChild(el("p", { className: "fb-text", text: "评价内容：" + t.feedback.text }));

    // reviews and curated answers so far
    var history = el("div", { className: "history", "data-testid": "turn-history" });
    t.reviews.forEach(function (rv) {
      history.appendChild(el("p", { className: "review " + rv.verdict, "data-testid": "review" },
        [(rv.verdict === "correct" ? "✓ 正确" : "✗ 有误") + " · " + rv.staff + " · " + fmtTime(rv.at) + (rv.reason ? " · " + rv.reason : "")]));
    });
    t.curated.forEach(function (cu) {
      history.appendChild(el("div", { className: "curated-box" + (cu.active ? "" : " inactive"), "data-testid": "curated-entry" }, [
        el("strong", { text: (cu.active ? "已生效的人工审核答案" : "已停用的人工审核答案") + "（" + cu.created_by + "）：" }),
        el("p", { text: cu.answer }), el("p", { className: "muted small", text: "引用：" + ((cu.citations || []).map(function (c) {
          return c.missing ? c.chunk_id : c.title + " · " + c.section;
        }).join("；") || "无") })]));
    });
    node.appendChild(history);

    // actions
    var reason = el("input", { type: "text", placeholder: "理由（标记有误时必填）", "aria-label": "核对理由", maxlength: "500", "data-testid": "review-reason" });
    var actions = el("div", { className: "actions" }, [
      el("button", { type: "button", className: "btn ok", text: "✓ 回答正确", "data-testid": "mark-correct",
        onclick: function () { review(t, "correct", reason.value, convId); } }),
      el("button", { type: "button", className: "btn bad", text: "✗ 回答有误", "data-testid": "mark-wrong",
        onclick: function () { review(t, "wrong", reason.value, convId); } }),
      reason,
      el("button", { type: "button", className: "btn primary", text: "写更正答案", "data-testid": "open-fix",
        onclick: function () { toggleFix(node, t, convId); } })
    ]);
    node.appendChild(actions);

    // the trace
    node.appendChild(traceNode(t));
    return node;
  }

  function review(t, verdict, reason, convId) {
    api("/messages/" + encodeURIComponent(t.id) + "/review", { method: "POST", body: { verdict: verdict, reason: reason } })
      .then(function () { toast(verdict === "correct" ? "已标记为正确" : "已标记为有误"); viewConversation(convId); })
      .catch(function (e) { toast(e.message, true); });
  }

  function toggleFix(node, t, convId) {
    var existing = node.querySelector(".fix-form");
    if (existing) { existing.parentNode.removeChild(existing); return; }
    var itemSel = itemSelect("fix-item", t.item_ids[0] || "", "请选择事项");
    var question = el("input", { type: "text", id: "fix-question", "data-testid": "fix-question", value: t.question, maxlength: "500" });
    var answer = el("textarea", { id: "fix-answer", "data-testid": "fix-answer", rows: "5", maxlength: "4000",
      placeholder: "写出正确的回答。引用编号会自动加上，不必手写 [1]。" });
    var reason = el("input", { type: "text", id: "fix-reason", "data-testid": "fix-reason", maxlength: "500", placeholder: "原回答错在哪里（可选）" });
    var cites = el("div", { className: "cite-pick", "data-testid": "fix-cites" });
    var chosen = {};  // nothing pre-selected: the guide picks what the answer rests on

    function renderCites(list) {
      clear(cites);
      var seen = {};
      cites.appendChild(el("p", { className: "muted small", text: "选择这条答案应当引用的片段：" }));
      list.forEach(function (c) {
        if (!c || c.missing || seen[c.chunk_id]) return;
        seen[c.chunk_id] = true;
        var box = el("input", { type: "checkbox", value: c.chunk_id, "data-testid": "fix-cite", checked: !!chosen[c.chunk_id] });
        box.onchange = function () { chosen[c.chunk_id] = box.checked; };
        cites.appendChild(el("label", { className: "cite-option" }, [box,
          el("span", { className: "cite-title", text: c.title + " · " + c.section }),
          el("span", { className: "cite-text", text: (c.text || "").slice(0, 90) })]));
      });
    }

    function loadCites() {
      var base = (t.citations || []).slice();
      var retrieved = ((t.trace || {}).retrieved || []).slice(0, 5);
      if (!itemSel.value) { renderCites(base.concat(retrieved)); return; }
      api("/items/" + encodeURIComponent(itemSel.value) + "/chunks").then(function (b) {
        renderCites(b.chunks.concat(base, retrieved));
      }).catch(function (e) { toast(e.message, true); });
    }
    itemSel.onchange = loadCites;
    loadCites();

    var status = el("p", { className: "muted", "data-testid": "fix-status" });
    var form = el("form", { className: "fix-form", "data-testid": "fix-form" }, [
      el("h4", { text: "更正答案（保存后立即对相同和相近的问题生效，显示为【人工审核】）" }),
      field("问题", question), field("事项", itemSel), field("正确答案", answer), cites, field("理由", reason),
      window.Daoban.catchPreview ? window.Daoban.catchPreview(question, itemSel) : null,  // staff_curated.js
      el("div", { className: "actions" }, [el("button", { type: "submit", className: "btn primary", text: "保存并生效", "data-testid": "fix-save" }), status])
    ]);
    form.onsubmit = function (e) {
      e.preventDefault();
      var ids = Object.keys(chosen).filter(function (k) { return chosen[k]; });
      if (!itemSel.value) { status.textContent = "请选择事项"; return; }
      if (!answer.value.trim()) { status.textContent = "请填写正确答案"; return; }
      form.querySelector("button[type=submit]").disabled = true;
      api("/curated", { method: "POST", body: { question: question.value, item_id: itemSel.value, answer: answer.value,
        chunk_ids: ids, message_id: t.id, reason: reason.value } }).then(function () {
        toast("已保存：人工审核答案立即生效");
        viewConversation(convId);
      }).catch(function (err) {
        status.textContent = err.message;
        form.querySelector("button[type=submit]").disabled = false;
      });
    };
    node.insertBefore(form, node.querySelector(".trace-wrap"));
    answer.focus();
  }

  /* Why this answer, for anyone at the desk: one plain sentence, the rules in Chinese (description on
   * hover and for screen readers), the evidence quoted; the scores stay folded away, for admins only. */
  function whyNode(why, rules, testid) {
    var box = el("div", { className: "why", "data-testid": testid || "trace-why" }, [
      el("p", { className: "why-text" }, [el("strong", { text: "为什么这样回答：" }), why || "—"])]);
    if ((rules || []).length) {
      box.appendChild(el("ul", { className: "rule-list", "aria-label": "用到的规则" }, rules.map(function (r) {
        return el("li", { className: "rule-label" + (r.known ? "" : " unknown"), title: r.description, "data-testid": "rule-label" },
          [r.label, el("span", { className: "visually-hidden", text: "：" + r.description })]);
      })));
    }
    return box;
  }

  function traceNode(t) {
    var tr = t.trace || {};
    var wrap = el("div", { className: "trace-wrap" }, [whyNode(t.why, t.rule_labels)]);
    if ((t.citations || []).length) {
      wrap.appendChild(el("h4", { className: "evidence-title", text: "依据" }));
      var ol0 = el("ol", { className: "cites" });
      t.citations.forEach(function (c) {
        ol0.appendChild(el("li", { "data-testid": "trace-citation" }, c.missing ? [c.chunk_id + "（索引中已不存在）"] :
          [el("strong", { text: c.title + " · " + c.section }), el("p", { className: "cite-text", text: c.text })]));
      });
      wrap.appendChild(ol0);
    }
    if (!me || me.role !== "admin") return wrap;
    var d = el("details", { className: "trace", "data-testid": "trace" });
    wrap.appendChild(d);
    d.appendChild(el("summary", { text: "检索打分与路由细节（管理员） · " + (tr.decision || "—") }));
    var dl = el("dl", { className: "kv" });
    function kv(k, v) { if (v === undefined || v === null || v === "") return; dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text: typeof v === "string" ? v : JSON.stringify(v) })); }
    kv("规范化", tr.normalized);
    kv("改写后的检索词", tr.query);
    kv("扩展词", tr.expansion);
    kv("方面", (tr.aspects || []).join("、"));
    kv("规则", (tr.rules || []).join("  "));
    kv("决策", tr.decision);
    kv("生成方式", tr.answer_by);
    kv("渠道", tr.channel);
    kv("耗时", tr.ms !== undefined ? tr.ms + " ms" : "");
    if (tr.signals) kv("信号", { top_item_score: tr.signals.top_item_score, item_ok: tr.signals.item_ok, law_ok: tr.signals.law_ok, policy_cue: tr.signals.policy_cue });
    d.appendChild(dl);
    if ((tr.items || []).length) {
      d.appendChild(el("h5", { text: "事项打分" }));
      d.appendChild(simpleTable(["事项", "总分", "别名", "语义", "词法", "证据", "理由"], tr.items.map(function (i) {
        return [i.name || i.item_id, fx(i.score), i.alias || "", fx(i.semantic), fx(i.lexical), fx(i.evidence), (i.reasons || []).join("、")];
      })));
    }
    if ((tr.retrieved || []).length) {
      d.appendChild(el("h5", { text: "检索到的片段" }));
      d.appendChild(simpleTable(["#", "片段", "BM25", "向量", "融合", "BM25名次", "向量名次"], tr.retrieved.map(function (h, i) {
        return [String(i + 1), h.title + " · " + h.section, fx(h.bm25), fx(h.dense), fx(h.score, 4), h.bm25_rank || "—", h.dense_rank || "—"];
      }), "trace-retrieved"));
    }
    return wrap;
  }

  function fx(v, n) { return typeof v === "number" ? v.toFixed(n === undefined ? 3 : n) : (v === undefined || v === null ? "—" : String(v)); }

  function simpleTable(headers, rows, testid) {
    return el("div", { className: "table-wrap" }, [el("table", { className: "table compact", "data-testid": testid || null }, [
      el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", {}, rows.map(function (r) { return el("tr", {}, r.map(function (c) { return el("td", {}, [c instanceof Node ? c : String(c)]); })); }))
    ])]);
  }

  // ------------------------------------------------------------ cases
  function viewCases() {
    var f = state.cases;
    loading("差评工单");
    Promise.all([api("/cases" + qs({ status: f.status, overdue: f.overdue ? "true" : "", mine: f.mine ? "true" : "", owner: f.owner === "" ? "-" : f.owner })),
      window.Daoban.loadCallbacks()]).then(function (r) {
      var b = r[0];
      clear(viewEl);
      updateOverdueBadge(b);
      viewEl.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "差评工单" }),
        el("span", { className: "muted", text: "不满意及以下的评价自动立案：1个工作日内回访，15个工作日内整改。" })]));
      var status = select("c-status", [["", "全部状态"], ["待回访", "待回访"], ["整改中", "整改中"], ["已办结", "已办结"]], f.status, "按状态筛选");
      var overdue = el("input", { type: "checkbox", id: "c-overdue", checked: !!f.overdue });
      var mine = el("input", { type: "checkbox", id: "c-mine", checked: !!f.mine });
      var owner = window.Daoban.ownerFilter(f.owner, function (v) { f.owner = v; apply(); });
      function apply() { state.cases = { status: status.value, overdue: overdue.checked, mine: mine.checked, owner: f.owner }; viewCases(); }
      status.onchange = overdue.onchange = mine.onchange = apply;
      viewEl.appendChild(el("div", { className: "filters inline" }, [status, owner,
        el("label", { className: "check" }, [overdue, " 只看超期"]), el("label", { className: "check" }, [mine, " 只看我的"]),
        el("span", { className: "muted", "data-testid": "case-counts", text: "待回访 " + b.counts["待回访"] + " · 整改中 " + b.counts["整改中"] + " · 已办结 " + b.counts["已办结"] + " · 超期 " + b.overdue })]));
      if (!b.cases.length) { viewEl.appendChild(el("p", { className: "empty", text: "没有工单。" })); return; }
      b.cases.forEach(function (c) { viewEl.appendChild(caseNode(c)); });
    }).catch(fail);
  }

  function caseNode(c) {
    var node = el("article", { className: "case" + (c.overdue ? " overdue" : "") + (c.status === "已办结" ? " closed" : ""),
      "data-testid": "case", "data-overdue": c.overdue ? "true" : "false", "data-case-id": c.id });
    var head = el("div", { className: "case-head" }, [
      el("span", { className: "status s-" + c.status, text: c.status }),
      c.overdue ? el("span", { className: "badge danger", "data-testid": "case-overdue", text: "超期 · " + c.overdue_reason }) : null,
      el("span", { className: "rating-tag bad", text: c.rating || "" }),
      el("span", { className: "muted", text: channelLabel(c.channel) + " · " + fmtTime(c.created_at) }),
      el("span", { className: "owner", text: "负责人：" + (c.owner || "未分配") })
    ]);
    node.appendChild(head);
    node.appendChild(el("p", { className: "case-q" }, [el("strong", { text: "问：" }), c.question || "（无）"]));
    node.appendChild(el("p", { className: "case-a muted" }, [el("strong", { text: "答：" }), (c.answer || "").slice(0, 160) + ((c.answer || "").length > 160 ? "…" : "")]));
    if ((c.tags || []).length || c.text) node.appendChild(el("p", { className: "case-fb" }, ["评价：" + (c.tags || []).join("、") + (c.text ? " “" + c.text + "”" : "")]));
    node.appendChild(el("p", { className: "dues" }, [
      el("span", { className: c.overdue_reason === "回访超期" ? "due late" : "due", text: "回访期限 " + fmtTime(c.reply_due) + (c.replied_at ? "（已回访 " + fmtTime(c.replied_at) + "）" : "") }),
      el("span", { className: c.overdue_reason === "整改超期" ? "due late" : "due", text: "整改期限 " + fmtTime(c.fix_due) + (c.closed_at ? "（已办结 " + fmtTime(c.closed_at) + "）" : "") })
    ]));
    if ((c.notes || []).length) {
      var ul = el("ul", { className: "notes" });
      c.notes.forEach(function (n) {
        ul.appendChild(el("li", { text: fmtTime(n.at) + " " + n.by + (n.outcome ? " 【" + n.outcome + "】" : "") + (n.status ? " → " + n.status : "") + (n.owner ? " 指派 " + n.owner : "") + (n.text ? "：" + n.text : "") }));
      });
      node.appendChild(ul);
    }
    var st = select("case-status-" + c.id, [["待回访", "待回访"], ["整改中", "整改中"], ["已办结", "已办结"]], c.status, "工单状态");
    var note = el("input", { type: "text", placeholder: "回访或整改记录", "aria-label": "回访或整改记录", maxlength: "1000" });
    node.appendChild(el("div", { className: "actions" }, [
      el("button", { type: "button", className: "btn", text: "认领", "data-testid": "case-claim",
        onclick: function () { updateCase(c.id, { claim: true }); } }),
      st, note,
      el("button", { type: "button", className: "btn primary", text: "保存", "data-testid": "case-save",
        onclick: function () { updateCase(c.id, { status: st.value, note: note.value }); } }),
      c.conversation_id ? el("a", { className: "btn ghost-dark", href: "#conversation/" + encodeURIComponent(c.conversation_id), text: "查看会话" }) : null
    ]));
    window.Daoban.caseExtras(node, c);
    return node;
  }

  function updateCase(id, body) {
    api("/cases/" + encodeURIComponent(id), { method: "POST", body: body })
      .then(function () { toast("工单已更新"); viewCases(); })
      .catch(function (e) { toast(e.message, true); });
  }

  function updateOverdueBadge(b) {
    var badge = document.getElementById("overdue-badge");
    var n = b && typeof b.overdue === "number" ? b.overdue : 0;
    badge.textContent = n ? "超期 " + n : "";
    badge.hidden = !n;
  }

  // ------------------------------------------------------------ gaps
  function viewGaps() {
    var f = state.gaps;
    loading("缺口");
    api("/gaps" + qs({ days: f.days || 30, threshold: f.threshold || "", out_of_scope: f.oos ? "true" : "" })).then(function (b) {
      clear(viewEl);
      viewEl.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "缺口" }),
        el("span", { className: "muted", text: "被拒答（未找到依据）、差评或核对为有误的问题，按相似度分组。" })]));
      var days = select("g-days", [[7, "近 7 天"], [30, "近 30 天"], [90, "近 90 天"], [365, "近一年"]], f.days || 30, "统计时间范围");
      var th = el("input", { type: "number", id: "g-threshold", min: "0.8", max: "0.99", step: "0.01", value: String(b.threshold) });
      var oos = el("input", { type: "checkbox", checked: !!f.oos });
      var go = el("button", { type: "button", className: "btn", text: "刷新",
        onclick: function () { state.gaps = { days: days.value, threshold: th.value, oos: oos.checked }; viewGaps(); } });
      viewEl.appendChild(el("div", { className: "filters inline" }, [days, field("相似度阈值", th),
        el("label", { className: "check" }, [oos, " 包括超出服务范围的拒答"]), go,
        el("span", { className: "muted", text: b.total + " 个问题，" + b.groups.length + " 组" })]));
      if (!b.groups.length) { viewEl.appendChild(el("p", { className: "empty", text: "这段时间没有缺口。" })); return; }
      var REASONS = { refused: "拒答", bad_rating: "差评", wrong: "核对有误" };
      b.groups.forEach(function (g) {
        var qs_ = el("ul", { className: "gap-qs" });
        g.questions.forEach(function (q) { qs_.appendChild(el("li", { text: q.text + (q.count > 1 ? " ×" + q.count : "") })); });
        var reasons = Object.keys(g.reasons).map(function (k) { return (REASONS[k] || k) + " " + g.reasons[k]; }).join(" · ");
        var ex = g.examples[g.examples.length - 1];
        viewEl.appendChild(el("article", { className: "gap", "data-testid": "gap" }, [
          el("div", { className: "gap-count", text: String(g.count) }),
          el("div", { className: "gap-body" }, [
            el("h3", { text: g.label }),
            el("p", { className: "muted small", text: reasons + (g.items.length ? " · 答成：" + g.items.join("、") : "") + " · 最近 " + fmtTime(g.last_at) }),
            qs_,
            el("div", { className: "actions" }, [
              el("a", { className: "btn", href: "#hit-test?q=" + encodeURIComponent(g.label), text: "命中测试" }),
              ex ? el("a", { className: "btn ghost-dark", href: "#conversation/" + encodeURIComponent(ex.conversation_id), text: "查看会话并更正" }) : null
            ])
          ])
        ]));
      });
    }).catch(fail);
  }

  // ------------------------------------------------------------ hit test
  function viewHitTest(q) {
    clear(viewEl);
    viewEl.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "命中测试" }),
      el("span", { className: "muted", text: "看一个问题的融合检索（BM25 与向量分数）和路由结果；或批量测试命中率。" })]));
    var input = el("input", { type: "search", id: "ht-q", "data-testid": "ht-q", "aria-label": "要测试的问题", placeholder: "输入一个问题，例如：公积金租房能取吗", maxlength: "500", value: q || "" });
    var out = el("div", { id: "ht-out", "data-testid": "ht-out" });
    var form = el("form", { className: "searchbar" }, [input, el("button", { type: "submit", className: "btn primary", text: "测试", "data-testid": "ht-run" })]);
    form.onsubmit = function (e) { e.preventDefault(); runHit(input.value, out); };
    viewEl.appendChild(form);
    viewEl.appendChild(out);

    var text = el("textarea", { id: "batch-text", "data-testid": "batch-text", rows: "6", "aria-label": "批量测试的问题，每行一题",
      placeholder: "每行一题：问题<Tab或逗号>期望事项（编号或名称；也可写“拒答”）\n结婚登记要带什么,结婚登记\n明天天气怎么样,拒答" });
    var file = el("input", { type: "file", accept: ".csv,.tsv,.txt", "data-testid": "batch-file", "aria-label": "从文件导入问题（CSV/TSV/TXT）" });
    file.onchange = function () {
      var f = file.files && file.files[0];
      if (!f) return;
      var reader = new FileReader();
      reader.onload = function () { text.value = String(reader.result || ""); };
      reader.readAsText(f, "utf-8");
    };
    var bout = el("div", { "data-testid": "batch-out" });
    var run = el("button", { type: "button", className: "btn primary", text: "批量测试", "data-testid": "batch-run" });
    run.onclick = function () {
      run.disabled = true;
      clear(bout).appendChild(el("p", { className: "muted", text: "测试中…" }));
      api("/hit-test", { method: "POST", body: { text: text.value } }).then(function (b) { renderBatch(b, bout); })
        .catch(function (e) { clear(bout).appendChild(el("p", { className: "form-error", text: e.message })); })
        .then(function () { run.disabled = false; });
    };
    viewEl.appendChild(card("批量命中测试", [text, el("div", { className: "actions" }, [file, run]), bout], "batch"));
    if (q) runHit(q, out);
  }

  function runHit(q, out) {
    if (!q.trim()) return;
    clear(out).appendChild(el("p", { className: "muted", text: "检索中…" }));
    api("/hit-test" + qs({ q: q })).then(function (b) {
      clear(out);
      var o = b.outcome;
      var items_ = o.items.map(function (i) { return i.name + (typeof i.score === "number" ? "（" + i.score.toFixed(2) + "）" : ""); }).join("、");
      out.appendChild(card("路由结果", [
        whyNode(o.why, o.rule_labels, "ht-why"),
        el("p", {}, [kindBadge(o.kind), " ", el("span", { className: "muted small", "data-testid": "ht-decision", text: o.decision || "" }), o.curated ? el("span", { className: "badge ok", text: "人工审核答案" }) : null]),
        el("p", { text: "事项：" + (items_ || "无") + " · 检索词：" + (o.query || b.query) + " · " + (o.ms || "?") + " ms" }),
        answerNode(o.answer)
      ], "outcome"));
      if ((o.ranked || []).length) {
        out.appendChild(card("事项打分", [simpleTable(["事项", "总分", "别名", "语义", "词法", "证据"], o.ranked.map(function (i) {
          return [i.name || i.item_id, fx(i.score), i.alias || "", fx(i.semantic), fx(i.lexical), fx(i.evidence)];
        }))]));
      }
      out.appendChild(card("融合检索", [simpleTable(["#", "片段", "类型", "BM25", "BM25名次", "向量", "向量名次", "融合"], b.results.map(function (h, i) {
        return [String(i + 1), h.title + " · " + h.section, h.kind === "law" ? "法条" : "指南", fx(h.bm25), h.bm25_rank || "—", fx(h.dense), h.dense_rank || "—", fx(h.score, 4)];
      }), "ht-results")]));
    }).catch(function (e) { clear(out).appendChild(el("p", { className: "form-error", text: e.message })); });
  }

  function renderBatch(b, out) {
    clear(out);
    out.appendChild(el("p", { className: "hit-rate", "data-testid": "batch-rate" }, [
      "命中率（首选事项正确）：", el("strong", { text: pct(b.hit_rate) }),
      " · 前三含期望：" + pct(b.hit_any_rate) + " · 计分 " + b.scored + " / " + b.total + " 题"]));
    out.appendChild(simpleTable(["", "问题", "期望", "结果", "事项", "决策"], b.results.map(function (r) {
      var mark = r.error ? "⚠" : (r.hit === null ? "—" : (r.hit ? "✓" : "✗"));
      return [mark, r.question, r.error || r.expected || "—", KIND_LABELS[r.kind] || r.kind,
        r.items.map(function (i) { return i.name; }).join("、") || "—", r.decision || ""];
    }), "batch-table"));
  }

  // ------------------------------------------------------------ curated answers
  function viewCurated() {
    loading("人工审核答案");
    api("/curated").then(function (b) {
      clear(viewEl);
      viewEl.appendChild(el("div", { className: "view-head" }, [el("h2", { text: "人工审核答案" }),
        el("span", { className: "muted", text: "相同或相近的问题直接使用这些答案（显示为【人工审核】）。在会话详情里“写更正答案”即可新增。" })]));
      if (!b.curated.length) { viewEl.appendChild(el("p", { className: "empty", text: "还没有人工审核答案。" })); return; }
      viewEl.appendChild(simpleTable(["问题", "事项", "答案", "引用", "作者", "时间", ""], b.curated.map(function (c) {
        var btn = el("button", { type: "button", className: "btn small", text: "停用", onclick: function () {
          if (!window.confirm("停用这条人工审核答案？")) return;
          api("/curated/" + encodeURIComponent(c.id) + "/disable", { method: "POST", body: {} })
            .then(function () { toast("已停用"); viewCurated(); }).catch(function (e) { toast(e.message, true); });
        } });
        return [c.question, c.item_name || c.item_id, c.answer, c.chunk_ids.length + " 条", c.created_by, fmtTime(c.created_at), btn];
      }), "curated-table"));
    }).catch(fail);
  }

  // ------------------------------------------------------------ staff accounts
  function viewStaff() {
    loading("工作人员");
    api("/staff").then(function (b) {
      clear(viewEl);
      viewEl.appendChild(el("h2", { text: "工作人员" }));
      var ROLE = { guide: "导办员", admin: "管理员" };
      viewEl.appendChild(simpleTable(["用户名", "角色", "状态", "创建", "最近登录", ""], b.staff.map(function (u) {
        var act = null;
        if (me.role === "admin" && u.username !== me.username) {
          act = el("button", { type: "button", className: "btn small", text: u.active ? "停用" : "启用", onclick: function () {
            api("/staff/" + encodeURIComponent(u.username), { method: "POST", body: { active: !u.active } })
              .then(function () { viewStaff(); }).catch(function (e) { toast(e.message, true); });
          } });
        }
        return [u.username, ROLE[u.role] || u.role, u.active ? "启用" : "停用", fmtTime(u.created_at), fmtTime(u.last_login), act || ""];
      })));
      if (me.role !== "admin") {
        viewEl.appendChild(el("p", { className: "muted", text: "新增或停用账号需要管理员权限。" }));
        return;
      }
      var name = el("input", { type: "text", placeholder: "用户名", maxlength: "32", required: true });
      var pw = el("input", { type: "password", placeholder: "初始密码（至少 8 位）", maxlength: "200", required: true, autocomplete: "new-password" });
      var role = select("new-role", [["guide", "导办员"], ["admin", "管理员"]], "guide", "角色");
      var form = el("form", { className: "filters inline" }, [name, pw, role, el("button", { type: "submit", className: "btn primary", text: "新增" })]);
      form.onsubmit = function (e) {
        e.preventDefault();
        api("/staff", { method: "POST", body: { username: name.value, password: pw.value, role: role.value } })
          .then(function () { toast("已新增 " + name.value); viewStaff(); }).catch(function (err) { toast(err.message, true); });
      };
      viewEl.appendChild(card("新增工作人员", [form]));
    }).catch(fail);
  }

  // ------------------------------------------------------------ routing
  function route() {
    routeSeq += 1;
    var h = location.hash.replace(/^#/, "") || "dashboard";
    var name = h.split(/[/?]/)[0];
    Array.prototype.forEach.call(document.querySelectorAll(".nav a"), function (a) {
      var v = a.getAttribute("data-view");
      var on = v === name || (name === "conversation" && v === "conversations");
      a.classList.toggle("active", on);
      if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    if (name === "conversation") return viewConversation(decodeURIComponent(h.slice("conversation/".length)));
    if (name === "conversations") return viewConversations();
    if (name === "cases") return viewCases();
    if (name === "bulk") return window.Daoban.viewBulk(viewEl);  // staff_bulk.js
    if (name === "gaps") return viewGaps();
    if (name === "hit-test") {
      var m = /[?&]q=([^&]*)/.exec(h);
      return viewHitTest(m ? decodeURIComponent(m[1]) : "");
    }
    if (name === "curated") return viewCurated();
    if (name === "kb" && window.Daoban.kbView) return window.Daoban.kbView(viewEl, toast);  // kb.js
    if (name === "staff") return viewStaff();
    if (name === "handoffs") return window.Daoban.viewHandoffs(viewEl, decodeURIComponent(h.slice("handoffs/".length)));
    return viewDashboard();
  }

  function init() {
    viewEl = document.getElementById("view");
    toastEl = document.getElementById("toast");
    document.getElementById("logout").onclick = function () {
      fetch("/staff/logout", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "{}" })
        .then(function () { location.href = "/staff/login"; });
    };
    api("/me").then(function (m) {
      me = m;
      document.getElementById("who").textContent = m.username + "（" + (m.role === "admin" ? "管理员" : "导办员") + "）";
      window.addEventListener("hashchange", route);
      route();
      api("/cases" + qs({ overdue: "true" }), { keep: true }).then(updateOverdueBadge).catch(function () { /* badge only */ });
    }).catch(function (e) { fail(e); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
