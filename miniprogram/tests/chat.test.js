/* The chat component under miniprogram-simulate: a message sent to /v1/chat (answered from responses
 * recorded from the real server, tests/fixtures/*.json, written by tests/record_fixtures.py) renders
 * item cards, citations, choice buttons and 好差评 buttons; tapping a choice sends it; 转人工 shows a
 * tap-to-call number and later the staff reply. */
const path = require("path");
const simulate = require("miniprogram-simulate");

const FIX = (name) => require(`./fixtures/${name}.json`);
const CHAT = path.join(__dirname, "../components/chat/chat");

let requests, answers, storage;
let chatId;
beforeAll(() => { chatId = simulate.load(CHAT, "chat"); });

function respond(options) {
  requests.push(options);
  const next = answers.shift();
  setTimeout(() => {
    if (!next) return options.fail({ errMsg: "request:fail" });
    options.success({ statusCode: next.status || 200, data: next.body });
  }, 0);
}

beforeEach(() => {
  requests = [];
  answers = [];
  storage = {};
  wx.request = jest.fn(respond);
  wx.getStorageSync = jest.fn((k) => storage[k] || "");
  wx.setStorageSync = jest.fn((k, v) => { storage[k] = v; });
  wx.removeStorageSync = jest.fn((k) => { delete storage[k]; });
  wx.makePhoneCall = jest.fn();
});

const CALLBACK_INFO = { enabled: true, consent_text: "我同意工作人员使用此号码就本次评价回访，办结后号码即删除。" };

function render(callback = CALLBACK_INFO) {
  answers.push({ body: callback });  // GET /v1/feedback/callback when the component attaches
  const comp = simulate.render(chatId);
  comp.attach(document.createElement("parent-wrapper"));
  expect(requests.map((r) => r.url)).toEqual([expect.stringMatching(/\/v1\/feedback\/callback$/)]);
  requests.length = 0;
  return comp;
}

const all = (comp, selector) => comp.querySelectorAll(selector);
const texts = (comp, selector) => all(comp, selector).map((n) => n.dom.textContent.trim());

/* wait (at most 3 s) until check() passes: taps run through a few timers under a loaded machine */
async function until(check) {
  for (let i = 0; i < 300; i++) {
    try { check(); return; } catch (e) { if (i === 299) throw e; }
    await simulate.sleep(10);
  }
}

async function ask(comp, text, ...bodies) {
  bodies.forEach((b) => answers.push(b));
  comp.instance.setData({ input: text });
  await comp.instance.onSend();
  await simulate.sleep(0);
}

test("a guide answer renders the item card, citations with [n], chips and the five ratings", async () => {
  const comp = render();
  const guide = FIX("guide");
  await ask(comp, guide.question, { body: guide.response });

  expect(requests).toHaveLength(1);
  expect(requests[0].url).toMatch(/\/v1\/chat$/);
  expect(requests[0].method).toBe("POST");
  expect(requests[0].data).toEqual({ message: guide.question, session_id: null, channel: "miniprogram" });
  expect(storage["daoban.session_id"]).toBe(guide.response.session_id);

  const names = texts(comp, ".item-name");
  expect(names).toEqual(guide.response.items.map((i) => i.name));
  const place = texts(comp, ".item-place")[0];
  expect(place).toContain(guide.response.items[0].location.hall);
  guide.response.items[0].location.windows.forEach((w) => expect(place).toContain(w));
  expect(texts(comp, ".badge")[0]).toBe(guide.response.items[0].online.available ? "可网上办" : "需到现场");

  // [n] markers in the text, one expandable citation per number
  expect(texts(comp, ".cite-ref")).toContain("[1]");
  expect(texts(comp, ".cite-n")).toEqual(guide.response.citations.map((c) => `[${c.n}]`));
  expect(all(comp, ".cite-text")).toHaveLength(0);
  all(comp, ".cite-head")[0].dispatchEvent("tap");
  await until(() => expect(texts(comp, ".cite-text")).toEqual([guide.response.citations[0].text]));

  expect(texts(comp, ".suggestion")).toEqual(guide.response.suggestions);
  expect(texts(comp, ".rate-btn")).toEqual(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);

  // 不满意 → POST /v1/feedback, and the server's words are shown
  answers.push({ status: 201, body: { follow_up: true, message: "感谢您的评价，这条回答已转工作人员复核，15个工作日内整改到位。" } });
  all(comp, ".rate-btn")[3].dispatchEvent("tap");
  await until(() => expect(texts(comp, ".rating-status")).toEqual(["感谢您的评价，这条回答已转工作人员复核，15个工作日内整改到位。"]));
  expect(requests[1].url).toMatch(/\/v1\/feedback$/);
  expect(requests[1].data).toMatchObject({ message_id: guide.response.message_id, rating_token: guide.response.rating_token, rating: "不满意" });

  // 回访: optional number, sent only with consent
  expect(texts(comp, ".consent")).toEqual([CALLBACK_INFO.consent_text]);
  comp.instance.onPhoneInput({ currentTarget: { dataset: { msg: 1 } }, detail: { value: "13912345678" } });
  await comp.instance.onSubmitPhone({ currentTarget: { dataset: { msg: 1 } } });
  expect(texts(comp, ".phone-status")).toEqual(["留下电话需要先勾选同意回访。"]);
  expect(requests).toHaveLength(2);
  comp.instance.onConsent({ currentTarget: { dataset: { msg: 1 } }, detail: { value: ["yes"] } });
  answers.push({ status: 201, body: { follow_up: true, message: "已记下您的回访电话，工作人员会在1个工作日内与您联系；工单办结后号码即删除。" } });
  await comp.instance.onSubmitPhone({ currentTarget: { dataset: { msg: 1 } } });
  expect(requests[2].url).toMatch(/\/v1\/feedback\/callback$/);
  expect(requests[2].data).toEqual({ message_id: guide.response.message_id, rating_token: guide.response.rating_token, phone: "13912345678", consent: true });
  expect(texts(comp, ".rating-status")[0]).toContain("1个工作日内");
  expect(all(comp, ".callback")).toHaveLength(0);
});

test("without callback numbers (no key on the server) a bad rating asks for none", async () => {
  const comp = render({ enabled: false, consent_text: "" });
  const guide = FIX("guide");
  await ask(comp, guide.question, { body: guide.response });
  answers.push({ status: 201, body: { follow_up: true, message: "感谢您的评价，这条回答已转工作人员复核，15个工作日内整改到位。" } });
  all(comp, ".rate-btn")[4].dispatchEvent("tap");
  await until(() => expect(texts(comp, ".rating-status")).toHaveLength(1));
  expect(all(comp, ".callback")).toHaveLength(0);
  expect(texts(comp, ".rating-status")[0]).not.toContain("回访");
});

test("a clarifying question shows choice buttons, and tapping one sends it in the same session", async () => {
  const comp = render();
  const clarify = FIX("clarify");
  await ask(comp, clarify.question, { body: clarify.response });
  const choices = texts(comp, ".choice");
  expect(choices).toEqual(clarify.response.suggestions);
  expect(texts(comp, ".hint")).toEqual(["请选择最接近的一项："]);

  answers.push({ body: FIX("guide").response });
  all(comp, ".choice")[0].dispatchEvent("tap");
  const cards = clarify.response.items.length + FIX("guide").response.items.length;
  await until(() => expect(all(comp, ".item-name").length).toBe(cards));
  expect(requests[1].data).toEqual({ message: choices[0], session_id: clarify.response.session_id, channel: "miniprogram" });
  expect(texts(comp, ".msg.user")).toEqual([clarify.question, choices[0]]);
});

test("转人工: the number is tap-to-call, 拨打12345 calls, and a staff reply appears when polled", async () => {
  const comp = render();
  const handoff = FIX("handoff");
  await ask(comp, handoff.question, { body: handoff.response });
  const tel = all(comp, ".tel");
  expect(tel.length).toBeGreaterThan(0);
  tel[0].dispatchEvent("tap");
  await until(() => expect(wx.makePhoneCall).toHaveBeenCalledTimes(1));
  expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: tel[0].dom.textContent.replace(/-/g, "") });

  comp.querySelector(".call-hotline").dispatchEvent("tap");
  await until(() => expect(wx.makePhoneCall).toHaveBeenLastCalledWith({ phoneNumber: "12345" }));

  answers.push({ body: { status: "已回复", replies: [{ id: 7, text: "您好，请拨打0527-80000000联系导办台。", from: "导办台工作人员" }] } });
  await comp.instance.pollOnce();
  expect(requests[requests.length - 1].url).toMatch(new RegExp(`/v1/chat/${handoff.response.session_id}/staff-replies\\?after=0$`));
  expect(texts(comp, ".msg.staff .kind-tag")).toEqual(["导办台工作人员"]);
  expect(texts(comp, ".msg.staff .tel")).toEqual(["0527-80000000"]);
  comp.detach();
});

test("a 422 shows the server's Chinese message; no network says so; 新对话 forgets the session", async () => {
  const comp = render();
  await ask(comp, "x", { status: 422, body: { error: { code: "invalid_request", message: "消息 message太长，最多2000个字符" } } });
  expect(texts(comp, ".error-text")).toEqual(["消息 message太长，最多2000个字符"]);
  await ask(comp, "结婚登记要带什么");  // no answer queued: the request fails
  expect(texts(comp, ".error-text")[1]).toBe("网络连接失败，请检查网络后重试。");

  storage["daoban.session_id"] = "abc";
  comp.querySelector(".new-chat").dispatchEvent("tap");
  await until(() => expect(storage["daoban.session_id"]).toBeUndefined());
  expect(all(comp, ".msg.user")).toHaveLength(0);
});
