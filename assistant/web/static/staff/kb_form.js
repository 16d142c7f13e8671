/* 导办工作台 — the guide form of view #kb (知识库, kb.js): one 办事指南's fields as inputs, its 申请材料 as
 * table rows (名称, 必要性, 份数, 形式, 容缺, 情形), and collect() to read the edited guide back. */
import { el, clear } from "/web/staff/dom.js";

const SIMPLE = [["事项名称", "text"], ["实施主体", "text"], ["办理时间", "text"], ["法定办结时限", "text"],
                ["承诺办结时限", "text"], ["到现场次数", "number"], ["咨询电话", "text"]];
const LINES = ["受理条件", "办理流程"];
const NECESSITY = ["必要", "非必要", "情形必要"];

export function kbField(label, input) { return el("label", { className: "kb-field" }, [el("span", { text: label }), input]); }

function materialRow(m, tbody) {
  const tr = el("tr", { "data-testid": "kb-material-row" });
  const sel = el("select", { "data-k": "必要性" }, NECESSITY.map((n) => {
    const o = el("option", { value: n, text: n }); if (n === m["必要性"]) o.selected = true; return o;
  }));
  [["名称", m["名称"]], null, ["份数", m["份数"]], ["形式", m["形式"]]].forEach((f) => {
    tr.appendChild(el("td", null, [f ? el("input", { "data-k": f[0], value: f[1] || "" }) : sel]));
  });
  tr.appendChild(el("td", null, [el("input", { type: "checkbox", "data-k": "容缺", checked: !!m["容缺"] })]));
  tr.appendChild(el("td", null, [el("input", { "data-k": "情形", value: m["情形"] || "" })]));
  tr.appendChild(el("td", null, [el("button", { type: "button", text: "删除", onclick: () => { tbody.removeChild(tr); } })]));
  tr._extra = { "备注": m["备注"] || "" };
  return tr;
}

function readMaterials(tbody) {
  return Array.prototype.map.call(tbody.querySelectorAll("tr"), (tr) => {
    const m = {};
    Array.prototype.forEach.call(tr.querySelectorAll("[data-k]"), (inp) => {
      const k = inp.getAttribute("data-k");
      if (inp.type === "checkbox") { if (inp.checked) m[k] = true; }
      else if (inp.value.trim()) m[k] = inp.value.trim();
    });
    if (tr._extra["备注"]) m["备注"] = tr._extra["备注"];
    return m;
  });
}

function materials(form, d) {
  const tbody = el("tbody");
  (d["申请材料"] || []).forEach((m) => tbody.appendChild(materialRow(m, tbody)));
  form.appendChild(el("h3", { text: "申请材料" }));
  form.appendChild(el("table", { className: "kb-materials" }, [
    el("thead", null, [el("tr", null, ["名称", "必要性", "份数", "形式", "容缺", "情形", ""].map((h) => el("th", { text: h })))]),
    tbody]));
  form.appendChild(el("button", { type: "button", text: "添加材料", onclick: () => {
    tbody.appendChild(materialRow({ "必要性": "必要", "份数": "1份", "形式": "原件" }, tbody));
  } }));
}

/* Draw guide d (a corpus/guides/*.yaml as JSON) into the form element. */
export function fillForm(form, d) {
  clear(form);
  SIMPLE.forEach((f) => {
    form.appendChild(kbField(f[0], el("input", { type: f[1], "data-f": f[0], "data-testid": "kb-field-" + f[0], value: d[f[0]] === undefined ? "" : String(d[f[0]]) })));
  });
  const p = d["办理地点"] || {};
  form.appendChild(kbField("大厅", el("input", { "data-f": "大厅", value: p["大厅"] || "" })));
  form.appendChild(kbField("专区", el("input", { "data-f": "专区", value: p["专区"] || "" })));
  form.appendChild(kbField("窗口", el("input", { "data-f": "窗口", "data-testid": "kb-field-windows", value: (p["窗口"] || []).join("、") })));
  form.appendChild(kbField("收费标准", el("input", { "data-f": "收费标准", value: (d["收费"] || {})["标准"] || "" })));
  LINES.forEach((f) => {
    const ta = el("textarea", { "data-f": f, rows: 4 }); ta.value = (d[f] || []).join("\n");
    form.appendChild(kbField(f + "（每行一条）", ta));
  });
  materials(form, d);
}

/* The loaded guide with the form's edits on top (fields the form does not show are kept). */
export function collect(form, data) {
  const d = JSON.parse(JSON.stringify(data));
  const value = (name) => form.querySelector("[data-f='" + name + "']").value;
  SIMPLE.forEach((f) => {
    const v = value(f[0]).trim();
    d[f[0]] = f[1] === "number" ? parseInt(v, 10) : v;
  });
  LINES.forEach((f) => { d[f] = value(f).split("\n").map((x) => x.trim()).filter(Boolean); });
  const place = { "大厅": value("大厅").trim(), "窗口": value("窗口").split(/[、,，\s]+/).filter(Boolean) };
  const zone = value("专区").trim();
  if (zone) place["专区"] = zone;
  d["办理地点"] = place;
  d["收费"] = Object.assign({}, d["收费"], { "标准": value("收费标准").trim() });
  d["申请材料"] = readMaterials(form.querySelector("tbody"));
  return d;
}
