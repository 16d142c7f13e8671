/* 导办工作台 — view #curated (人工审核答案): the reviewed answers that now answer the same and similar
 * questions (shown to citizens as 【人工审核】), with buttons to edit one (a reason is required; the previous
 * version is kept), see its history and restore an earlier version, or disable it.  New ones are written
 * from an answer in #conversation/<id> (correction.js). */
import { api } from "/web/staff/api.js";
import { el, clear, view, loading, fail, simpleTable, toast, toastError, viewHead, field } from "/web/staff/dom.js";
import { fmtTime } from "/web/staff/format.js";

const path = (c) => "/curated/" + encodeURIComponent(c.id);

function disableButton(c) {
  return el("button", { type: "button", className: "btn small", text: "停用", onclick: () => {
    if (!window.confirm("停用这条人工审核答案？")) return;
    api(path(c) + "/disable", { method: "POST", body: {} })
      .then(() => { toast("已停用"); viewCurated(); }).catch(toastError);
  } });
}

/* The edit form for one correction: question, answer, example questions (one a line) and the required reason. */
function editForm(c) {
  const question = el("input", { type: "text", id: "ce-question", "data-testid": "curated-edit-question", value: c.question, maxlength: "500" });
  const answer = el("textarea", { id: "ce-answer", "data-testid": "curated-edit-answer", rows: "4", maxlength: "4000" });
  answer.value = c.answer;
  const examples = el("textarea", { id: "ce-examples", "data-testid": "curated-edit-examples", rows: "2" });
  examples.value = (c.examples || []).join("\n");
  const excluded = el("textarea", { id: "ce-excluded", "data-testid": "curated-edit-excluded", rows: "2" });
  excluded.value = (c.excluded || []).join("\n");
  const reason = el("input", { type: "text", id: "ce-reason", "data-testid": "curated-edit-reason", maxlength: "500", placeholder: "为什么修改（必填）" });
  const status = el("p", { className: "muted", role: "status", "data-testid": "curated-edit-status" });
  const lines = (t) => t.value.split("\n").map((x) => x.trim()).filter(Boolean);
  const form = el("form", { className: "fix-form", "data-testid": "curated-edit" }, [
    el("h3", { text: "修改人工审核答案（旧版本会保留，可恢复）" }),
    field("问题", question), field("答案", answer), field("示例问题（每行一个，也使用这条答案）", examples),
    field("排除的问题（每行一个，不使用这条答案）", excluded), field("修改理由", reason),
    el("div", { className: "actions" }, [el("button", { type: "submit", className: "btn primary", text: "保存修改", "data-testid": "curated-edit-save" }), status])]);
  form.onsubmit = (e) => {
    e.preventDefault();
    if (!reason.value.trim()) { status.textContent = "请写明修改理由"; reason.focus(); return; }
    api(path(c), { method: "PUT", body: { question: question.value, answer: answer.value, examples: lines(examples),
      excluded: lines(excluded), reason: reason.value } })
      .then(() => { toast("已保存修改"); viewCurated(c.id); }).catch((err) => { status.textContent = err.message; });
  };
  return form;
}

/* The earlier versions, the latest replaced first: who replaced it, when, why, its text, and 恢复. */
function history(c, box) {
  api(path(c) + "/history").then((b) => {
    clear(box);
    box.appendChild(el("h3", { text: "修改历史：" + c.question }));
    if (!b.versions.length) { box.appendChild(el("p", { className: "empty", text: "还没有修改过。" })); return; }
    const list = el("ol", { className: "notes", "data-testid": "curated-history" });
    b.versions.forEach((v) => list.appendChild(el("li", { "data-testid": "curated-version" }, [
      el("p", { text: `第 ${v.seq} 版 · ${v.replaced_by} 于 ${fmtTime(v.replaced_at)} 修改，理由：${v.reason}` }),
      el("p", { className: "muted small", text: `当时的问题：${v.question}；当时的答案：${v.answer}` }),
      el("button", { type: "button", className: "btn small", text: "恢复这一版", "data-testid": "curated-restore", onclick: () => {
        const why = window.prompt("恢复这一版的理由：");
        if (!why || !why.trim()) return;
        api(path(c) + "/restore", { method: "POST", body: { version_id: v.id, reason: why } })
          .then(() => { toast("已恢复"); viewCurated(c.id); }).catch(toastError);
      } })])));
    box.appendChild(list);
  }).catch(toastError);
}

function actions(c, box) {
  const show = (node) => { clear(box).appendChild(node); box.scrollIntoView({ block: "nearest" }); };
  return el("span", { className: "actions" }, [
    el("button", { type: "button", className: "btn small", text: "修改", "data-testid": "curated-edit-open",
      onclick: () => { const f = editForm(c); show(f); f.querySelector("textarea").focus(); } }),
    el("button", { type: "button", className: "btn small", text: "历史", "data-testid": "curated-history-open",
      onclick: () => history(c, box) }),
    disableButton(c)]);
}

/* openHistory: after an edit or a restore, the id whose history is shown again below the table. */
export function viewCurated(openHistory) {
  loading("人工审核答案");
  api("/curated").then((b) => {
    const v = clear(view());
    v.appendChild(viewHead("人工审核答案",
      el("span", { className: "muted", text: "相同或相近的问题直接使用这些答案（显示为【人工审核】）。在会话详情里“写更正答案”即可新增。" })));
    if (!b.curated.length) { v.appendChild(el("p", { className: "empty", text: "还没有人工审核答案。" })); return; }
    const box = el("section", { className: "curated-detail", "data-testid": "curated-detail" });
    v.appendChild(simpleTable(["问题", "事项", "答案", "示例 / 排除", "引用", "作者", "时间", ""], b.curated.map((c) =>
      [c.question, c.item_name || c.item_id, c.answer, `${(c.examples || []).length} / ${(c.excluded || []).length}`,
        c.chunk_ids.length + " 条", c.created_by, fmtTime(c.created_at), actions(c, box)]),
    "curated-table"));
    v.appendChild(box);
    const open = typeof openHistory === "string" && b.curated.find((c) => c.id === openHistory);
    if (open) history(open, box);
  }).catch(fail);
}
