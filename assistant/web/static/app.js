/* 便民方舟 导办助手 — chat page.  Plain JS, no build step.
 * POST /v1/chat with Accept: text/event-stream (meta → delta… → done);
 * falls back to the plain JSON POST when streaming fails. */
(function () {
  "use strict";

  var API = "/v1/chat";
  var SESSION_KEY = "daoban.session_id";
  var KINDS = ["guide", "policy", "clarify", "refuse", "handoff", "chitchat"];
  var KIND_LABELS = { refuse: "超出服务范围", handoff: "建议转人工" };

  var messagesEl, inputEl, sendEl, formEl, chatEl;
  var busy = false;
  var msgCounter = 0;

  // ---------- session ----------
  function getSession() {
    try { return window.sessionStorage.getItem(SESSION_KEY) || null; } catch (e) { return null; }
  }
  function setSession(id) {
    if (!id || typeof id !== "string") return;
    try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* private mode */ }
  }
  function clearSession() {
    try { window.sessionStorage.removeItem(SESSION_KEY); } catch (e) { /* ignore */ }
  }

  // ---------- small DOM helpers ----------
  var el = window.Daoban.el;  // common.js

  function escapeHtml(s) {
    return String(s)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function safeUrl(u) {
    if (typeof u !== "string") return null;
    var s = u.trim();
    return /^https?:\/\//i.test(s) ? s : null;
  }

  function scrollToBottom(force) {
    var near = chatEl.scrollHeight - chatEl.scrollTop - chatEl.clientHeight < 160;
    if (force || near) chatEl.scrollTop = chatEl.scrollHeight;
  }

  /* Where the answer in ``node`` starts, in the chat's scroll coordinates (a little air above it). */
  function answerTop(node) {
    return Math.max(0, node.getBoundingClientRect().top - chatEl.getBoundingClientRect().top + chatEl.scrollTop - 8);
  }

  /* While an answer streams in, follow it down, but never past its own first line; once it has
   * settled, bring its start to the top of the view (a long answer is read from the beginning,
   * not from the previous answer's sources or the end of this one). */
  function followAnswer(msg, settled) {
    var top = answerTop(msg.node);
    var bottom = chatEl.scrollHeight - chatEl.clientHeight;
    if (settled) jumpTo(top);
    else chatEl.scrollTop = Math.min(bottom, top);
  }

  /* Scroll the chat to ``top`` at once, not with the chat's smooth scrolling: when an answer settles
   * (aria-busy="false") its start and a clarifying question's choices are already on screen, instead of
   * half-way through a smooth scroll that a slow phone (or a busy machine) has not finished. */
  function jumpTo(top) {
    var prev = chatEl.style.scrollBehavior;
    chatEl.style.scrollBehavior = "auto";
    try { chatEl.scrollTo({ top: top, behavior: "instant" }); } catch (e) { chatEl.scrollTop = top; }
    chatEl.style.scrollBehavior = prev;
  }

  // ---------- rendering ----------
  /* Escape first, then: URLs → links, [n] → superscript citation links.
   * Line breaks are kept by CSS (white-space: pre-wrap). */
  function answerHtml(text, citationNumbers, msgId) {
    var html = escapeHtml(text || "");
    // URLs → links; phone numbers (12345, 0527-80000000, mobile) → tel: links, in one pass
    html = html.replace(/(https?:\/\/[^\s<>"'（）()，。；、【】\[\]]+)|(?<![\d-])(12345|0\d{2,3}-\d{7,8}|1[3-9]\d{9})(?![\d-])/g,
      function (m, url, phone) {
        if (url) return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + url + "</a>";
        return '<a href="tel:' + phone + '" class="tel" data-testid="tel-link">' + phone + "</a>";
      });
    html = html.replace(/【([^】\n]{1,24})】/g, '<strong class="sec">【$1】</strong>');
    html = html.replace(/\[(\d{1,3})\]/g, function (m, n) {
      if (citationNumbers && !citationNumbers[n]) return m;
      return '<sup class="cite-ref"><a href="#' + msgId + "-cite-" + n + '" data-cite="' + n +
        '" aria-label="查看出处' + n + '"><span class="cite-n">[' + n + "]</span></a></sup>";
    });
    return html;
  }

  function citationIndex(citations) {
    var map = {};
    (citations || []).forEach(function (c) { if (c && c.n !== undefined) map[String(c.n)] = true; });
    return map;
  }

  function renderItems(container, items) {
    container.textContent = "";
    (items || []).forEach(function (it) {
      if (!it) return;
      var loc = it.location || {};
      var windows = Array.isArray(loc.windows) ? loc.windows.join("、") : (loc.windows || "");
      var place = [loc.hall, loc.zone, windows ? windows + " 窗口" : ""].filter(Boolean).join(" · ");
      var rows = [];
      if (place) rows.push(row("办理地点", place));
      if (loc.address) rows.push(row("地址", loc.address));
      if (it.hours) rows.push(row("办理时间", it.hours));
      var online = it.online || {};
      if (online.route) {
        var url = safeUrl(online.url);
        var val = el("dd", null, [online.route]);
        if (url) {
          val.appendChild(document.createTextNode(" "));
          val.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", className: "online-link",
            text: "去网上办理 ↗" }));
        }
        rows.push(el("div", { className: "row" }, [el("dt", { text: "网上办理" }), val]));
      }
      var badge = online.available === false
        ? el("span", { className: "badge offline", text: "需到现场" })
        : (online.route ? el("span", { className: "badge online", text: "可网上办" }) : null);
      var card = el("section", { className: "item-card", "data-testid": "item-card", "aria-label": it.name || "办事事项" }, [
        el("header", { className: "item-head" }, [
          el("h2", { className: "item-name", text: it.name || "" }),
          badge
        ]),
        it.department ? el("p", { className: "item-dept", text: it.department }) : null,
        el("dl", { className: "item-rows" }, rows)
      ]);
      container.appendChild(card);
    });
    container.hidden = !container.children.length;

    function row(label, value) {
      return el("div", { className: "row" }, [el("dt", { text: label }), el("dd", { text: value })]);
    }
  }

  function renderCitations(container, citations, msgId) {
    container.textContent = "";
    var list = (citations || []).filter(Boolean);
    if (!list.length) { container.hidden = true; return; }
    container.appendChild(el("h3", { className: "section-title", text: "出处" }));
    list.forEach(function (c) {
      var url = safeUrl(c.url);
      var label = [c.title, c.section].filter(Boolean).join(" ");
      var body = el("div", { className: "citation-body" }, [
        el("p", { className: "citation-text", text: c.text || "" }),
        (c.source || url) ? el("p", { className: "citation-source" }, [
          c.source ? "来源：" + c.source : "",
          url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: (c.source ? " 查看原文 ↗" : "查看原文 ↗") }) : null
        ]) : null
      ]);
      var d = el("details", { className: "citation", "data-testid": "citation", id: msgId + "-cite-" + c.n,
        "data-n": c.n }, [
        el("summary", null, [el("span", { className: "cite-n", text: "[" + c.n + "]" }), " ", el("span", { className: "cite-label", text: label })]),
        body
      ]);
      container.appendChild(d);
    });
    container.hidden = false;
  }

  function renderSuggestions(container, suggestions, kind) {
    container.textContent = "";
    var list = (suggestions || []).filter(function (s) { return typeof s === "string" && s.trim(); });
    if (!list.length) { container.hidden = true; return; }
    var isChoice = kind === "clarify";
    container.className = "chips" + (isChoice ? " choices" : "");
    container.setAttribute("aria-label", isChoice ? "请选择您要办的事" : "您可能还想问");
    if (isChoice) container.appendChild(el("p", { className: "hint", text: "请选择最接近的一项：" }));
    list.forEach(function (s) {
      container.appendChild(el("button", { type: "button", className: "chip" + (isChoice ? " choice" : ""),
        "data-testid": "chip", text: s }));
    });
    container.hidden = false;
  }

  function setKind(msg, kind) {
    KINDS.forEach(function (k) { msg.node.classList.remove("kind-" + k); });
    msg.node.classList.remove("kind-error");
    if (kind) msg.node.classList.add("kind-" + kind);
    msg.node.setAttribute("data-kind", kind || "");
    var label = KIND_LABELS[kind];
    msg.tag.textContent = label || "";
    msg.tag.hidden = !label;
  }

  function createAssistantMessage() {
    msgCounter += 1;
    var id = "m" + msgCounter;
    var tag = el("p", { className: "kind-tag" });
    tag.hidden = true;
    var typing = el("div", { className: "typing", role: "status", "aria-label": "助手正在输入" }, [
      el("span"), el("span"), el("span")
    ]);
    var answer = el("div", { className: "answer" });
    var items = el("div", { className: "items" });
    var cites = el("div", { className: "citations" });
    var chips = el("div", { className: "chips", role: "group" });
    items.hidden = cites.hidden = chips.hidden = true;
    var bubble = el("div", { className: "bubble" }, [tag, typing, answer, items, cites, chips]);
    var node = el("article", { className: "msg assistant", "data-testid": "assistant-msg", id: id,
      "aria-busy": "true" }, [el("div", { className: "avatar", "aria-hidden": "true", text: "舟" }), bubble]);
    messagesEl.appendChild(node);
    scrollToBottom(true);
    return { id: id, node: node, tag: tag, typing: typing, answer: answer, items: items, cites: cites,
      chips: chips, bubble: bubble, text: "", citations: [] };
  }

  function addUserMessage(text) {
    var node = el("article", { className: "msg user", "data-testid": "user-msg" }, [
      el("div", { className: "bubble" }, [el("p", { className: "answer", text: text })])
    ]);
    messagesEl.appendChild(node);
    scrollToBottom(true);
  }

  function hideTyping(msg) {
    if (msg.typing && msg.typing.parentNode) msg.typing.parentNode.removeChild(msg.typing);
    msg.typing = null;
  }

  function renderAnswerText(msg) {
    var text = msg.text;
    if (msg.kind === "clarify" && msg.more) {
      /* a clarifying question: the question, then the choice buttons; the choice lines with their
         sources, the item cards and the citations follow collapsed (issue 11: choices first on a phone) */
      var cut = text.indexOf("\n");
      msg.moreText.innerHTML = cut < 0 ? "" : answerHtml(text.slice(cut + 1), citationIndex(msg.citations), msg.id);
      text = cut < 0 ? text : text.slice(0, cut);
    }
    msg.answer.innerHTML = answerHtml(text, citationIndex(msg.citations), msg.id);
  }

  /* Clarify: [question] [choices] [details: lines, item cards, sources]; other kinds keep their order. */
  function arrangeClarify(msg, kind) {
    msg.kind = kind;
    if (kind !== "clarify") return;
    if (!msg.more) {
      msg.moreText = el("div", { className: "answer more-text" });
      msg.more = el("details", { className: "more", "data-testid": "clarify-more" },
        [el("summary", { text: "事项详情和出处" }), msg.moreText]);
    }
    msg.bubble.insertBefore(msg.chips, msg.answer.nextSibling);
    msg.bubble.insertBefore(msg.more, msg.chips.nextSibling);
    msg.more.appendChild(msg.items);
    msg.more.appendChild(msg.cites);
  }

  function applyMeta(msg, meta) {
    if (!meta || typeof meta !== "object") return;
    setSession(meta.session_id);
    if (meta.message_id) msg.node.setAttribute("data-message-id", meta.message_id);
    setKind(msg, meta.kind);
    arrangeClarify(msg, meta.kind);
    msg.citations = meta.citations || [];
    renderItems(msg.items, meta.items);
    renderCitations(msg.cites, msg.citations, msg.id);
    renderSuggestions(msg.chips, meta.suggestions, meta.kind);
  }

  function appendDelta(msg, text) {
    if (typeof text !== "string" || !text) return;
    hideTyping(msg);
    msg.text += text;
    renderAnswerText(msg);
    followAnswer(msg, false);
  }

  function renderFinal(msg, body) {
    hideTyping(msg);
    applyMeta(msg, body);
    msg.text = typeof body.answer === "string" ? body.answer : "";
    renderAnswerText(msg);
    renderRating(msg, body.message_id, body.rating_token);
    msg.node.setAttribute("aria-busy", "false");
    followAnswer(msg, true);
    if (body.kind === "handoff") startPolling();
  }

  // ---------- 转人工: replies from the 导办台 staff (GET /v1/chat/{session}/staff-replies) ----------
  var POLL_MS = 4000, POLL_FOR_MS = 2 * 3600 * 1000;
  var HANDOFF_KEY = "daoban.handoff";
  var poll = null;

  function startPolling() {
    try { window.sessionStorage.setItem(HANDOFF_KEY, String(Date.now())); } catch (e) { /* private mode */ }
    if (!poll) poll = { after: 0, timer: null, since: Date.now() };
    if (!poll.timer) poll.timer = setTimeout(pollOnce, 500);
  }

  function stopPolling() {
    if (poll && poll.timer) clearTimeout(poll.timer);
    poll = null;
    try { window.sessionStorage.removeItem(HANDOFF_KEY); } catch (e) { /* ignore */ }
  }

  function pollOnce() {
    var sid = getSession();
    if (!poll) return;
    poll.timer = null;
    if (!sid || Date.now() - poll.since > POLL_FOR_MS) { stopPolling(); return; }
    fetch("/v1/chat/" + encodeURIComponent(sid) + "/staff-replies?after=" + poll.after, { headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (b) {
        if (!poll || !b) return;
        (b.replies || []).forEach(function (r) {
          poll.after = Math.max(poll.after, r.id);
          addStaffMessage(r);
        });
        if (b.status === "已关闭") { stopPolling(); return; }
      })
      .catch(function () { /* offline for a moment: try again */ })
      .then(function () { if (poll && !poll.timer) poll.timer = setTimeout(pollOnce, document.hidden ? POLL_MS * 3 : POLL_MS); });
  }

  function addStaffMessage(r) {
    var answer = el("div", { className: "answer" });
    answer.innerHTML = answerHtml(r.text || "", {}, "staff" + r.id);
    var node = el("article", { className: "msg assistant staff-reply", "data-testid": "staff-msg" }, [
      el("div", { className: "avatar", "aria-hidden": "true", text: "人" }),
      el("div", { className: "bubble" }, [el("p", { className: "kind-tag", text: r.from || "导办台工作人员" }), answer])
    ]);
    messagesEl.appendChild(node);
    scrollToBottom(true);
  }

  // ---------- 好差评: rate an answer (POST /v1/feedback) ----------
  var RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
  var BAD_TAGS = [];  // served by the server, the one list of rating tags (GET /v1/feedback/tags)

  function renderRating(msg, messageId, ratingToken) {
    if (!messageId || typeof messageId !== "string" || msg.rating) return;
    var status = el("p", { className: "rating-status", role: "status", "data-testid": "rating-status" });
    var buttons = RATINGS.map(function (r, i) {
      return el("button", { type: "button", className: "rate-btn" + (i >= 3 ? " bad" : ""), "data-testid": "rating-btn",
        "data-rating": r, "aria-pressed": "false", text: r });
    });
    var scale = el("div", { className: "rating-scale", "aria-hidden": "true" },
      [el("span", { text: "满意" }), el("span", { text: "不满意" })]);
    var tags = BAD_TAGS.map(function (t) {
      return el("button", { type: "button", className: "rate-tag", "data-testid": "rating-tag", "aria-pressed": "false", text: t });
    });
    var text = el("textarea", { className: "rating-text", rows: "2", maxlength: "500", "data-testid": "rating-text",
      "aria-label": "补充说明（可选）", placeholder: "哪里不满意？补充说明（可选，请勿填写身份证号、手机号）" });
    var submit = el("button", { type: "button", className: "rate-submit", "data-testid": "rating-submit", text: "提交评价" });
    // 回访: only when the centre takes numbers (an encryption key is configured); optional, with consent
    var phone = el("input", { type: "tel", className: "callback-phone", maxlength: "20", "data-testid": "callback-phone",
      "aria-label": "回访电话（可选）", placeholder: "需要回访？留下电话（可选）", autocomplete: "tel" });
    var consent = el("input", { type: "checkbox", "data-testid": "callback-consent" });
    var consentLabel = el("span", { className: "consent-text", text: callbackInfo.consent_text || "" });
    var callbackBox = el("div", { className: "callback", "data-testid": "callback" },
      [phone, el("label", { className: "consent" }, [consent, " ", consentLabel])]);
    callbackBox.hidden = !callbackInfo.enabled;
    var detail = el("div", { className: "rating-detail", "data-testid": "rating-detail" },
      [el("div", { className: "rating-tags" }, tags), text, callbackBox, submit]);
    detail.hidden = true;
    var bar = el("div", { className: "rating", "data-testid": "rating-bar", role: "group", "aria-label": "评价这条回答" }, [
      el("span", { className: "rating-q", text: "这条回答您满意吗？" }), el("div", { className: "rating-btns" }, buttons), scale, detail, status]);
    msg.rating = bar;
    msg.bubble.appendChild(bar);
    var chosen = null;

    function submitRating(rating) {
      var picked = tags.filter(function (t) { return t.getAttribute("aria-pressed") === "true"; })
        .map(function (t) { return t.textContent; });
      var body = { message_id: messageId, rating_token: ratingToken || "", rating: rating, tags: RATINGS.indexOf(rating) >= 3 ? picked : [],
        text: RATINGS.indexOf(rating) >= 3 && text.value.trim() ? text.value.trim() : null };
      var number = RATINGS.indexOf(rating) >= 3 && callbackInfo.enabled ? phone.value.trim() : "";
      if (number && !consent.checked) { status.textContent = "留下电话需要先勾选同意回访。"; return; }
      status.textContent = "提交中…";
      submit.disabled = true;
      postJson("/v1/feedback", body, "评价没有提交成功，请稍后再试。")
        .then(function (j) {
          if (!number) return j;
          return postJson("/v1/feedback/callback", { message_id: messageId, rating_token: ratingToken || "", phone: number, consent: true },
            "回访电话没有提交成功，请稍后再试。").then(function (c) {
            phone.value = "";
            return { message: (j.message || "") + c.message };
          });
        })
        .then(function (j) {
          status.textContent = j.message || "感谢您的评价！";
          bar.classList.add("rated");
          detail.hidden = true;
        })
        .catch(function (err) {
          status.textContent = err instanceof ApiError ? err.message : "网络连接失败，评价没有提交。";
        })
        .then(function () { submit.disabled = false; });
    }

    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        chosen = b.getAttribute("data-rating");
        buttons.forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
        if (RATINGS.indexOf(chosen) >= 3) {  // 不满意 or worse: ask what went wrong first
          detail.hidden = false;
          status.textContent = "";
          text.focus();
        } else {
          submitRating(chosen);
        }
      });
    });
    tags.forEach(function (t) {
      t.addEventListener("click", function () {
        t.setAttribute("aria-pressed", t.getAttribute("aria-pressed") === "true" ? "false" : "true");
      });
    });
    submit.addEventListener("click", function () { if (chosen) submitRating(chosen); });
  }

  function postJson(url, body, failText) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (j) {
          if (!res.ok) throw new ApiError((j && j.error && j.error.message) || failText, res.status);
          return j;
        });
      });
  }

  var callbackInfo = { enabled: false, consent_text: "" };
  function loadCallbackInfo() {
    fetch("/v1/feedback/callback", { headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (j) { if (j) callbackInfo = j; })
      .catch(function () { /* no callback numbers offered */ });
    fetch("/v1/feedback/tags", { headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (j) { if (j && Array.isArray(j.tags)) BAD_TAGS = j.tags; })
      .catch(function () { /* rating without tags */ });
  }

  function renderError(msg, message) {
    hideTyping(msg);
    setKind(msg, null);
    msg.node.classList.add("kind-error");
    msg.node.setAttribute("aria-busy", "false");
    msg.items.hidden = msg.cites.hidden = msg.chips.hidden = true;
    msg.answer.textContent = message || "抱歉，服务暂时出现问题，请稍后再试，或拨打12345咨询。";
    msg.answer.setAttribute("role", "alert");
    followAnswer(msg, true);
  }

  // ---------- network ----------
  function ApiError(message, status) {
    this.message = message;
    this.status = status;
  }

  function errorFromResponse(res) {
    return res.text().then(function (t) {
      var msg = null;
      try {
        var j = JSON.parse(t);
        if (j && j.error && j.error.message) msg = j.error.message;
        else if (j && typeof j.detail === "string") msg = j.detail;
      } catch (e) { /* not JSON */ }
      if (!msg) {
        msg = res.status >= 500 ? "服务暂时出现问题，请稍后再试，或拨打12345咨询。"
          : "请求没有成功（错误码 " + res.status + "），请换个说法再试。";
      }
      return new ApiError(msg, res.status);
    }, function () {
      return new ApiError("服务暂时出现问题，请稍后再试。", res.status);
    });
  }

  function isChatBody(b) {
    return b && typeof b === "object" && typeof b.answer === "string" && typeof b.kind === "string";
  }

  /* Parse an SSE byte stream; calls onEvent(name, data) per event. */
  function readSse(res, onEvent) {
    var reader = res.body.getReader();
    var decoder = new TextDecoder("utf-8");
    var buf = "";

    function dispatch(block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") return;
        var i = line.indexOf(":");
        var field = i < 0 ? line : line.slice(0, i);
        var value = i < 0 ? "" : line.slice(i + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      });
      if (!data.length) return;
      var parsed = JSON.parse(data.join("\n"));  // throws on a broken event → fallback
      onEvent(name, parsed);
    }

    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          buf += decoder.decode();
          buf = buf.replace(/\r\n?/g, "\n");
          if (buf.trim()) dispatch(buf);
          return;
        }
        buf += decoder.decode(r.value, { stream: true });
        buf = buf.replace(/\r\n?/g, "\n");
        var idx;
        while ((idx = buf.indexOf("\n\n")) >= 0) {
          var block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          dispatch(block);
        }
        return pump();
      });
    }
    return pump();
  }

  function streamChat(payload, msg) {
    return fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify(payload)
    }).then(function (res) {
      if (!res.ok) return errorFromResponse(res).then(function (err) { throw err; });
      var ctype = res.headers.get("content-type") || "";
      if (ctype.indexOf("text/event-stream") < 0 || !res.body || !res.body.getReader) {
        // the server answered in one piece
        return res.json().then(function (body) {
          if (!isChatBody(body)) throw new Error("unexpected body");
          return body;
        });
      }
      var final = null;
      return readSse(res, function (name, data) {
        if (name === "meta") applyMeta(msg, data);
        else if (name === "delta") appendDelta(msg, data && data.text);
        else if (name === "done") final = data;
        else if (name === "error" && data && data.error) throw new ApiError(data.error.message, 500);
      }).then(function () {
        if (!isChatBody(final)) throw new Error("stream ended without done");
        return final;
      });
    });
  }

  function plainChat(payload) {
    return fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (res) {
      if (!res.ok) return errorFromResponse(res).then(function (err) { throw err; });
      return res.json().then(function (body) {
        if (!isChatBody(body)) throw new ApiError("服务返回了无法识别的内容，请稍后再试。", res.status);
        return body;
      });
    });
  }

  function setBusy(b) {
    busy = b;
    sendEl.disabled = b;
    sendEl.setAttribute("aria-busy", b ? "true" : "false");
    formEl.classList.toggle("is-busy", b);
  }

  function send(text) {
    text = (text || "").trim();
    if (!text || busy) return;
    if (text.length > 2000) text = text.slice(0, 2000);
    addUserMessage(text);
    setBusy(true);
    var msg = createAssistantMessage();
    var payload = { message: text, session_id: getSession(), channel: "web" };

    streamChat(payload, msg)
      .catch(function (err) {
        if (err instanceof ApiError) throw err;  // the server said no: the JSON POST would say the same
        // streaming failed (network, proxy buffering, broken stream): ask again without streaming
        msg.text = "";
        var retry = { message: text, session_id: getSession() || payload.session_id, channel: "web" };
        return plainChat(retry);
      })
      .then(function (body) { renderFinal(msg, body); })
      .catch(function (err) {
        var message = err instanceof ApiError ? err.message : "网络连接失败，请检查网络后重试。";
        renderError(msg, message);
      })
      .then(function () {
        setBusy(false);
        if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) inputEl.focus();
      });
  }

  // ---------- personal data: warn before it is sent ----------
  /* An ID number (18 digits, last may be X), a mobile or landline number, or a bank card, typed with
   * or without spaces/dashes: e.g. 3213 0219 9001 0112 3X, 138-1234-5678, 0527-80000000.  The server
   * masks them anyway (guard.mask_pii); this only tells the person before they send it. */
  var PII_RE = /(?:^|\D)(?:\d[\s-]?){17}[\dXx](?!\d)|(?:^|\D)1[3-9]\d(?:[\s-]?\d){8}(?!\d)|(?:^|\D)0\d{2,3}[\s-]?\d{7,8}(?!\d)|(?:^|\D)(?:\d[\s-]?){15,18}\d(?!\d)/;
  function looksPersonal(text) {
    return PII_RE.test(String(text || "").replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xFEE0); }));
  }
  function warnPersonalData() {
    var box = document.getElementById("pii-warning");
    if (box) box.hidden = !looksPersonal(inputEl.value);
  }

  // ---------- wiring ----------
  function autoGrow() {
    inputEl.style.height = "auto";
    inputEl.style.height = Math.min(inputEl.scrollHeight, 140) + "px";
  }

  function init() {
    // inside the widget's frame (widget.js opens /?embed=1) the panel already says who we are
    if (/[?&]embed=1(&|$)/.test(location.search)) document.body.classList.add("embedded");
    messagesEl = document.getElementById("messages");
    inputEl = document.getElementById("chat-input");
    sendEl = document.getElementById("chat-send");
    formEl = document.getElementById("composer");
    chatEl = document.getElementById("chat");

    formEl.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) return;
      var text = inputEl.value;
      if (!text.trim()) { inputEl.focus(); return; }
      inputEl.value = "";
      autoGrow();
      warnPersonalData();
      send(text);
    });

    inputEl.addEventListener("keydown", function (e) {
      // Enter sends; Shift+Enter is a new line; never send while an IME is composing (拼音 input)
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        if (typeof formEl.requestSubmit === "function") formEl.requestSubmit();
        else formEl.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    inputEl.addEventListener("input", autoGrow);
    inputEl.addEventListener("input", warnPersonalData);

    // chips (examples, suggestions, clarify choices) and [n] citation links
    messagesEl.addEventListener("click", function (e) {
      var chip = e.target.closest && e.target.closest("button.chip");
      if (chip && messagesEl.contains(chip)) {
        e.preventDefault();
        send(chip.textContent);
        return;
      }
      var ref = e.target.closest && e.target.closest("a[data-cite]");
      if (ref) {
        e.preventDefault();
        var msgNode = ref.closest(".msg");
        var target = msgNode && msgNode.querySelector('details.citation[data-n="' + ref.getAttribute("data-cite") + '"]');
        if (target) {
          target.open = true;
          target.classList.remove("flash");
          void target.offsetWidth;  // restart the highlight animation
          target.classList.add("flash");
          target.scrollIntoView({ behavior: "smooth", block: "nearest" });
          var summary = target.querySelector("summary");
          if (summary) summary.focus({ preventScroll: true });
        }
      }
    });

    loadCallbackInfo();
    try { if (window.sessionStorage.getItem(HANDOFF_KEY) && getSession()) startPolling(); } catch (e) { /* ignore */ }

    document.getElementById("new-chat").addEventListener("click", function () {
      if (busy) return;
      stopPolling();
      clearSession();
      Array.prototype.slice.call(messagesEl.querySelectorAll(".msg:not(.welcome)")).forEach(function (n) {
        n.parentNode.removeChild(n);
      });
      inputEl.value = "";
      autoGrow();
      inputEl.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
