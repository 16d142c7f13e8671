/* 导办工作台 — the "写更正答案" form under an answer in #conversation/<id>: question, item, the right
 * answer, the chunks it should cite, a reason, and a preview of which past questions it would catch
 * (POST /curated/preview), where staff exclude a caught question that must not get it (排除) and add example
 * questions it should catch (添加示例问题).  Saving (POST /curated) makes it a 人工审核 answer at once, with its
 * examples and exclusions. */
import { api, request } from "/web/staff/api.js";
import { el, clear, field, toast, toastError } from "/web/staff/dom.js";
import { itemSelect } from "/web/staff/session.js";

/* A list of questions, each with one button (取消排除 / 删除) that takes it out again. */
function questionList(testid, label, onRemove) {
  const list = el("ul", { className: "notes", "data-testid": testid + "s" });
  function render(items) {
    clear(list);
    items.forEach((q) => list.appendChild(el("li", { "data-testid": testid }, [el("span", { text: q + " " }),
      el("button", { type: "button", className: "btn small", text: label, onclick: () => onRemove(q) })])));
  }
  return { node: list, render };
}

/* The preview box: before a correction is saved, which past questions would it answer?  Each caught question
 * can be excluded; example questions can be added.  `examples` = {include: [...], exclude: [...]}, sent on save. */
function catchPreview(question, itemSel, examples) {
  const list = el("ul", { className: "notes", "data-testid": "fix-catches" });
  const status = el("p", { className: "muted small", role: "status", "data-testid": "fix-catches-status" });
  const run = el("button", { type: "button", className: "btn", text: "预览会命中的以往问题", "data-testid": "fix-preview" });
  const drop = (key) => (q) => { examples[key] = examples[key].filter((x) => x !== q); redraw(); };
  const excluded = questionList("fix-excluded", "取消排除", drop("exclude"));
  const added = questionList("fix-example", "删除", drop("include"));
  const input = el("input", { type: "text", id: "fix-example-input", "data-testid": "fix-example-input", maxlength: "500",
    placeholder: "它也应当回答的问法，如：领证要几张照片" });
  const add = el("button", { type: "button", className: "btn", text: "添加示例问题", "data-testid": "fix-example-add" });
  let ran = false;  // once previewed, every change of the examples previews again
  function redraw() { excluded.render(examples.exclude); added.render(examples.include); if (ran) run.onclick(); }
  add.onclick = () => {
    const q = input.value.trim();
    if (q && !examples.include.includes(q)) examples.include.push(q);
    input.value = "";
    redraw();
  };
  input.onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); add.onclick(); } };
  function exclude(q) { if (!examples.exclude.includes(q)) examples.exclude.push(q); redraw(); }
  run.onclick = async () => {
    if (!itemSel.value) { status.textContent = "请先选择事项"; return; }
    status.textContent = "查找中…";
    ran = true;
    try {
      const b = await request("/curated/preview", { method: "POST", body: { question: question.value, item_id: itemSel.value,
        examples: examples.include, excluded: examples.exclude } });
      clear(list);
      status.textContent = `近 ${b.days} 天的 ${b.checked} 个问题中，这条更正会回答 ${b.catches.length} 个：`;
      b.catches.forEach((c) => list.appendChild(el("li", { "data-testid": "fix-catch" }, [
        el("span", { text: `${c.question}（${c.count} 次） ` }),
        el("button", { type: "button", className: "btn small", text: "排除", "data-testid": "fix-exclude",
          "aria-label": "排除：" + c.question, onclick: () => exclude(c.question) })])));
    } catch (e) { status.textContent = e.message; }
  };
  return el("div", { className: "fix-preview" }, [run, status, list,
    el("p", { className: "muted small", text: "已排除（不会使用这条更正）：" }), excluded.node,
    field("示例问题", input), add, added.node]);
}

/* The chunks to choose from: the chosen item's chunks, then the answer's citations and its top 5
 * retrieved chunks, each once; nothing pre-selected (the guide picks what the answer rests on). */
function citePicker(t, itemSel) {
  const cites = el("div", { className: "cite-pick", "data-testid": "fix-cites" });
  const chosen = {};
  function render(list) {
    clear(cites);
    const seen = {};
    cites.appendChild(el("p", { className: "muted small", text: "选择这条答案应当引用的片段：" }));
    list.forEach((c) => {
      if (!c || c.missing || seen[c.chunk_id]) return;
      seen[c.chunk_id] = true;
      const box = el("input", { type: "checkbox", value: c.chunk_id, "data-testid": "fix-cite", checked: !!chosen[c.chunk_id] });
      box.onchange = () => { chosen[c.chunk_id] = box.checked; };
      cites.appendChild(el("label", { className: "cite-option" }, [box,
        el("span", { className: "cite-title", text: c.title + " · " + c.section }),
        el("span", { className: "cite-text", text: (c.text || "").slice(0, 90) })]));
    });
  }
  function load() {
    const base = (t.citations || []).slice();
    const retrieved = ((t.trace || {}).retrieved || []).slice(0, 5);
    if (!itemSel.value) { render(base.concat(retrieved)); return; }
    api("/items/" + encodeURIComponent(itemSel.value) + "/chunks").then((b) => {
      render(b.chunks.concat(base, retrieved));
    }).catch(toastError);
  }
  itemSel.onchange = load;
  load();
  return { node: cites, ids: () => Object.keys(chosen).filter((k) => chosen[k]) };
}

function fixForm(t, done) {
  const itemSel = itemSelect("fix-item", t.item_ids[0] || "", "请选择事项");
  const question = el("input", { type: "text", id: "fix-question", "data-testid": "fix-question", value: t.question, maxlength: "500" });
  const answer = el("textarea", { id: "fix-answer", "data-testid": "fix-answer", rows: "5", maxlength: "4000",
    placeholder: "写出正确的回答。引用编号会自动加上，不必手写 [1]。" });
  const reason = el("input", { type: "text", id: "fix-reason", "data-testid": "fix-reason", maxlength: "500", placeholder: "原回答错在哪里（可选）" });
  const cites = citePicker(t, itemSel);
  const examples = { include: [], exclude: [] };
  const status = el("p", { className: "muted", "data-testid": "fix-status" });
  const form = el("form", { className: "fix-form", "data-testid": "fix-form" }, [
    el("h4", { text: "更正答案（保存后立即对相同和相近的问题生效，显示为【人工审核】）" }),
    field("问题", question), field("事项", itemSel), field("正确答案", answer), cites.node, field("理由", reason),
    catchPreview(question, itemSel, examples),
    el("div", { className: "actions" }, [el("button", { type: "submit", className: "btn primary", text: "保存并生效", "data-testid": "fix-save" }), status])
  ]);
  form.onsubmit = (e) => {
    e.preventDefault();
    if (!itemSel.value) { status.textContent = "请选择事项"; return; }
    if (!answer.value.trim()) { status.textContent = "请填写正确答案"; return; }
    const save = form.querySelector("button[type=submit]");
    save.disabled = true;
    api("/curated", { method: "POST", body: { question: question.value, item_id: itemSel.value, answer: answer.value,
      chunk_ids: cites.ids(), message_id: t.id, reason: reason.value,
      examples: examples.include, excluded: examples.exclude } }).then(() => {
      toast("已保存：人工审核答案立即生效");
      done();
    }).catch((err) => { status.textContent = err.message; save.disabled = false; });
  };
  return { form, answer };
}

/* Open the form under the turn's node (before its trace), or close it when it is open.
 * done(): called after a save (the conversation is drawn again). */
export function toggleFix(node, t, done) {
  const existing = node.querySelector(".fix-form");
  if (existing) { existing.parentNode.removeChild(existing); return; }
  const { form, answer } = fixForm(t, done);
  node.insertBefore(form, node.querySelector(".trace-wrap"));
  answer.focus();
}
