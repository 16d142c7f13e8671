/* 导办助手 chat as a custom component: answers with item cards, expandable citations, choice buttons
 * for clarifying questions, suggestion chips, the five 好差评 buttons, 新对话, 拨打12345, and staff
 * replies after 转人工.  Talks to /v1/chat and /v1/feedback with channel "miniprogram"; the session id
 * is kept in storage.  Text "streams" in on screen (wx.request returns the whole body). */
var api = require("../../utils/api.js");
var text = require("../../utils/text.js");
var config = require("../../config.js");

var SESSION_KEY = "daoban.session_id";
var RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
var STEP = 24;       // characters per frame while the answer appears
var FRAME_MS = 30;

Component({
  properties: {
    welcome: { type: String, value: "您好！我是导办助手，可以告诉您办事要带哪些材料、去哪个窗口、能不能网上办，回答都附有出处。" },
    examples: { type: Array, value: ["结婚登记要带什么", "公积金租房能取吗", "开个小饭店要办什么"] }
  },

  data: {
    messages: [],
    input: "",
    busy: false,
    ratings: RATINGS,
    hotline: config.hotline,
    callback: { enabled: false, consent_text: "" }
  },

  lifetimes: {
    attached: function () {
      this._seq = 0;
      this._timers = [];
      this._poll = null;
      var self = this;
      api.callbackInfo().then(function (b) { self.setData({ callback: b }); }).catch(function () { /* no numbers taken */ });
    },
    detached: function () {
      this._stopPolling();
      this._timers.forEach(clearTimeout);
    }
  },

  methods: {
    // ------------------------------------------------------------ session
    _session: function () {
      try { return wx.getStorageSync(SESSION_KEY) || null; } catch (e) { return null; }
    },
    _keepSession: function (id) {
      if (typeof id === "string" && id) { try { wx.setStorageSync(SESSION_KEY, id); } catch (e) { /* full */ } }
    },

    // ------------------------------------------------------------ messages
    _push: function (msg) {
      this._seq += 1;
      msg.id = "m" + this._seq;
      var messages = this.data.messages.concat([msg]);
      this.setData({ messages: messages, lastId: msg.id });
      return messages.length - 1;
    },
    _patch: function (index, fields) {
      var update = {};
      Object.keys(fields).forEach(function (k) { update["messages[" + index + "]." + k] = fields[k]; });
      this.setData(update);
    },

    onInput: function (e) { this.setData({ input: e.detail.value }); },

    onSend: function () {
      var t = (this.data.input || "").trim();
      if (!t) return;
      this.setData({ input: "" });
      return this.send(t);
    },

    /* a clarify choice, a suggestion or an example chip: sent as the person's next message */
    onChip: function (e) { return this.send(e.currentTarget.dataset.text); },

    send: function (message) {
      var self = this;
      message = String(message || "").trim().slice(0, 2000);
      if (!message || this.data.busy) return Promise.resolve();
      this._push({ role: "user", text: message });
      var index = this._push({ role: "assistant", busy: true, partial: "" });
      this.setData({ busy: true });
      return api.chat(message, this._session())
        .then(function (body) {
          self._keepSession(body.session_id);
          return self._show(index, body);
        })
        .catch(function (err) {
          self._patch(index, { role: "error", busy: false, partial: (err && err.message) || "网络连接失败，请检查网络后重试。" });
        })
        .then(function () { self.setData({ busy: false }); });
    },

    /* cards, citations and chips at once; the text appears piece by piece, then becomes tappable */
    _show: function (index, body) {
      var self = this;
      var answer = typeof body.answer === "string" ? body.answer : "";
      this._patch(index, {
        kind: body.kind, messageId: body.message_id || "", ratingToken: body.rating_token || "",
        items: (body.items || []).map(function (it) {
          var online = it.online || {};
          return { id: it.id, name: it.name, department: it.department, place: text.place(it),
            address: (it.location || {}).address || "", hours: it.hours || "",
            online: !!online.available, route: online.route || "", url: online.url || "" };
        }),
        citations: (body.citations || []).map(function (c) {
          return { n: c.n, label: [c.title, c.section].filter(Boolean).join(" "), text: c.text || "",
            source: c.source || "", url: c.url || "", open: false };
        }),
        suggestions: (body.suggestions || []).filter(function (s) { return typeof s === "string" && s; }),
        choice: body.kind === "clarify"
      });
      return new Promise(function (resolve) {
        var shown = 0;
        function frame() {
          shown = Math.min(answer.length, shown + STEP);
          self._patch(index, { partial: answer.slice(0, shown) });
          if (shown < answer.length) { self._timers.push(setTimeout(frame, FRAME_MS)); return; }
          self._patch(index, { busy: false, segments: text.segments(answer, body.citations) });
          if (body.kind === "handoff") self._startPolling();
          resolve();
        }
        frame();
      });
    },

    onToggleCite: function (e) {
      var i = e.currentTarget.dataset.msg, j = e.currentTarget.dataset.cite;
      var key = "messages[" + i + "].citations[" + j + "].open";
      var update = {};
      update[key] = !this.data.messages[i].citations[j].open;
      this.setData(update);
    },

    /* tapping [n] in the text opens that citation */
    onCiteRef: function (e) {
      var i = e.currentTarget.dataset.msg, n = e.currentTarget.dataset.n;
      var cites = this.data.messages[i].citations || [];
      for (var j = 0; j < cites.length; j++) {
        if (cites[j].n === n) {
          var update = {};
          update["messages[" + i + "].citations[" + j + "].open"] = true;
          this.setData(update);
        }
      }
    },

    onCall: function (e) {
      var phone = (e && e.currentTarget && e.currentTarget.dataset.phone) || config.hotline;
      wx.makePhoneCall({ phoneNumber: String(phone).replace(/-/g, "") });
    },

    onCopy: function (e) {
      wx.setClipboardData({ data: e.currentTarget.dataset.url });
    },

    // ------------------------------------------------------------ 好差评
    onRate: function (e) {
      var self = this;
      var i = e.currentTarget.dataset.msg, rating = e.currentTarget.dataset.rating;
      var msg = this.data.messages[i];
      if (!msg || !msg.messageId) return Promise.resolve();
      this._patch(i, { rated: rating, ratingStatus: "提交中…" });
      return api.feedback(msg.messageId, msg.ratingToken, rating)
        .then(function (b) {
          // 不满意 or worse: a call only if the person chooses to leave a number (optional, with consent)
          self._patch(i, { ratingStatus: b.message || "感谢您的评价！",
            askPhone: !!(b.follow_up && self.data.callback.enabled), phone: "", consent: false });
        })
        .catch(function (err) { self._patch(i, { ratingStatus: err.message }); });
    },

    onPhoneInput: function (e) { this._patch(e.currentTarget.dataset.msg, { phone: e.detail.value }); },
    onConsent: function (e) { this._patch(e.currentTarget.dataset.msg, { consent: (e.detail.value || []).length > 0 }); },

    onSubmitPhone: function (e) {
      var self = this, i = e.currentTarget.dataset.msg, msg = this.data.messages[i];
      var phone = (msg.phone || "").trim();
      if (!phone) return Promise.resolve();
      if (!msg.consent) { this._patch(i, { phoneStatus: "留下电话需要先勾选同意回访。" }); return Promise.resolve(); }
      return api.callback(msg.messageId, msg.ratingToken, phone)
        .then(function (b) { self._patch(i, { askPhone: false, phone: "", ratingStatus: b.message, phoneStatus: "" }); })
        .catch(function (err) { self._patch(i, { phoneStatus: err.message }); });
    },

    onNewChat: function () {
      if (this.data.busy) return;
      this._stopPolling();
      try { wx.removeStorageSync(SESSION_KEY); } catch (e) { /* ignore */ }
      this.setData({ messages: [], input: "" });
    },

    // ------------------------------------------------------------ replies from the 导办台 after 转人工
    _startPolling: function () {
      if (this._poll) return;
      this._poll = { after: 0, since: Date.now(), timer: null };
      this._schedule();
    },
    _stopPolling: function () {
      if (this._poll && this._poll.timer) clearTimeout(this._poll.timer);
      this._poll = null;
    },
    _schedule: function () {
      var self = this;
      if (!this._poll) return;
      this._poll.timer = setTimeout(function () { self.pollOnce(); }, config.pollMs);
    },
    pollOnce: function () {
      var self = this, sid = this._session();
      if (!this._poll) return Promise.resolve();
      if (!sid || Date.now() - this._poll.since > config.pollForMs) { this._stopPolling(); return Promise.resolve(); }
      return api.staffReplies(sid, this._poll.after)
        .then(function (b) {
          (b.replies || []).forEach(function (r) {
            if (!self._poll) return;
            self._poll.after = Math.max(self._poll.after, r.id);
            self._push({ role: "staff", from: r.from || "导办台工作人员", segments: text.segments(r.text, []) });
          });
          if (b.status === "已关闭") self._stopPolling();
        })
        .catch(function () { /* offline for a moment: try again */ })
        .then(function () { self._schedule(); });
    }
  }
});
