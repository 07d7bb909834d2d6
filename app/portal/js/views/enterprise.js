// An enterprise: post and edit demands (major picker), open, pause, close; matches; offers.
import { get, patch, post } from "../api.js";
import { actionButton, badge, checkForm, day, empty, field, h, label, mount, notice, num, options, periodName, section, showProblem, table } from "../ui.js";

export async function render(el, me) {
  const state = { enterprise: me.organization, selected: null };
  const list = h("section", { class: "panel", id: "demands" });
  const editor = h("section", { class: "panel", id: "demand-editor" });
  const detail = h("section", { class: "panel", id: "demand-detail", hidden: true });
  el.append(list, editor, detail);
  const refresh = () => section(list, () => demandList(state, { edit, show }));
  const edit = (demand, done) => {
    mount(editor, demandForm(demand, async (saved, message) => {
      edit(null, message); // a blank form again, with what happened
      if (!saved) return;
      await refresh();
      show(saved);
    }), done ? notice(done) : null);
    if (demand) editor.scrollIntoView({ block: "start" });
  };
  const show = (demand) => {
    detail.hidden = false;
    section(detail, () => demandDetail(demand, refresh));
  };
  edit(null);
  await refresh();
}

async function demandList(state, { edit, show }) {
  const page = await get("/demands", { enterprise_id: state.enterprise.id, limit: 50 });
  const box = h("div", {});
  const feedback = h("div", { "aria-live": "polite" });
  const step = (d, path, text, body) =>
    actionButton(text, async () => {
      const updated = await post(`/demands/${d.id}/${path}`, body);
      mount(feedback, notice(`“${updated.title}”${label("status", updated.status)}。`));
      mount(box, ...(await demandList(state, { edit, show })).childNodes);
      show(updated);
    }, { target: feedback });
  const closeForm = (d) => {
    const reason = h("select", { name: "close_reason", "aria-label": "关闭原因" }, ["cancelled", "filled_elsewhere"].map((v) => h("option", { value: v }, label("closeReason", v))));
    const wrap = h("span", { class: "inline-form" }, reason);
    wrap.append(actionButton("关闭", async () => {
      await post(`/demands/${d.id}/close`, { close_reason: reason.value });
      mount(box, ...(await demandList(state, { edit, show })).childNodes);
    }, { kind: "btn-danger", target: feedback }));
    return wrap;
  };
  box.append(
    h("div", { class: "panel-head" }, h("h2", {}, "本企业的用工需求"), h("button", { type: "button", class: "btn btn-primary", onclick: () => edit(null) }, "发布新需求")),
    feedback,
    table(
      [
        { title: "需求", cell: (d) => h("button", { type: "button", class: "link", onclick: () => show(d) }, d.title) },
        { title: "类型", nowrap: true, cell: (d) => label("demandKind", d.kind) },
        { title: "专业", cell: (d) => d.major_codes.join("、") },
        { title: "人数", num: true, cell: (d) => num(d.headcount) },
        { title: "有效期至", nowrap: true, cell: (d) => day(d.valid_until) },
        { title: "状态", cell: (d) => badge(d.status) },
        {
          title: "操作",
          cell: (d) =>
            h(
              "div",
              { class: "row-actions" },
              d.status !== "closed" ? h("button", { type: "button", class: "btn", onclick: () => edit(d) }, "编辑") : null,
              d.status === "draft" ? step(d, "open", "开放") : null,
              d.status === "open" ? step(d, "pause", "暂停") : null,
              d.status === "paused" ? step(d, "resume", "恢复") : null,
              d.status === "open" || d.status === "paused" ? closeForm(d) : null,
              d.status !== "draft" ? h("button", { type: "button", class: "btn", onclick: () => show(d) }, "匹配与应答") : null,
            ),
        },
      ],
      page.items,
      { emptyText: "还没有发布用工需求。" },
    ),
  );
  return box;
}

/** Picks catalogue codes (any depth) by name or code, from /taxonomies/majors. */
export function majorPicker(initial = []) {
  const chosen = new Map(initial.map((c) => [c, c]));
  const input = h("input", { type: "search", id: "major-search", autocomplete: "off", placeholder: "输入专业名称或代码，如 数控 或 4601", role: "combobox", "aria-expanded": "false", "aria-controls": "major-options", "aria-autocomplete": "list" });
  const level = h("select", { id: "major-level", "aria-label": "专业层次" }, options("level", { blank: "全部层次" }));
  const list = h("ul", { id: "major-options", role: "listbox", class: "picker-options", hidden: true, "aria-label": "专业目录搜索结果" });
  const chips = h("ul", { class: "chips", "aria-label": "已选专业" });
  const hidden = h("input", { type: "hidden", name: "major_codes" });
  const picker = h("div", { class: "picker" }, h("div", { class: "picker-row" }, input, level), list, chips, hidden);
  let active = -1;
  let timer = null;
  let turn = 0;
  const draw = () => {
    hidden.value = [...chosen.keys()].join(",");
    mount(chips, [...chosen].map(([code, name]) => h("li", { class: "chip" }, `${code} ${name === code ? "" : name}`, h("button", { type: "button", "aria-label": `移除 ${code}`, onclick: () => (chosen.delete(code), draw()) }, "×"))));
  };
  const choose = (m) => {
    chosen.set(m.code, m.name);
    input.value = "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    draw();
    input.focus();
  };
  const search = async () => {
    const text = input.value.trim();
    const mine = ++turn;
    if (!text) {
      list.hidden = true;
      return;
    }
    const params = /^\d+K?$/i.test(text) ? { prefix: text.toUpperCase() } : { q: text };
    const page = await get("/taxonomies/majors", { ...params, level: level.value, limit: 12 });
    if (mine !== turn) return;
    active = -1;
    const kinds = { category: "专业大类", class: "专业类", major: "专业" };
    mount(list, page.items.length ? page.items.map((m, n) => h("li", { role: "option", id: `major-opt-${n}`, "data-code": m.code, onmousedown: (e) => (e.preventDefault(), choose(m)) }, h("code", {}, m.code), ` ${m.name}`, h("small", {}, ` ${kinds[m.kind] || m.kind} · ${label("level", m.level)}`))) : h("li", { class: "none" }, "目录中没有找到"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    list._items = page.items;
  };
  input.addEventListener("input", () => (clearTimeout(timer), (timer = setTimeout(search, 200))));
  level.addEventListener("change", search);
  input.addEventListener("keydown", (e) => {
    const items = list._items || [];
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % Math.max(items.length, 1);
      list.querySelectorAll("[role=option]").forEach((o, n) => o.setAttribute("aria-selected", String(n === active)));
      input.setAttribute("aria-activedescendant", `major-opt-${active}`);
    } else if (e.key === "Enter" && !list.hidden && items.length) {
      e.preventDefault();
      choose(items[Math.max(active, 0)]);
    } else if (e.key === "Escape") {
      list.hidden = true;
    }
  });
  input.addEventListener("blur", () => setTimeout(() => (list.hidden = true), 150));
  // Known names for the initial codes.
  for (const code of initial) get(`/taxonomies/majors/${code}`).then((m) => (chosen.set(code, m.name), draw())).catch(() => {});
  draw();
  picker.codes = () => [...chosen.keys()];
  picker.input = input;
  return picker;
}

function inputDate(offsetDays) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

function demandForm(demand, saved) {
  const d = demand || {};
  const kind = h("select", { name: "kind", required: true }, options("demandKind"));
  kind.value = d.kind || "employment";
  const title = h("input", { name: "title", required: true, minlength: 2, maxlength: 200, value: d.title || "" });
  const picker = majorPicker(d.major_codes || []);
  const levels = h("fieldset", { class: "checks" }, h("legend", {}, "层次（不选为不限）"), Object.entries({ secondary: "中职", higher: "高职专科", undergraduate: "职业本科" }).map(([v, t]) => h("label", {}, h("input", { type: "checkbox", name: "levels", value: v, checked: (d.levels || []).includes(v) }), ` ${t}`)));
  const headcount = h("input", { type: "number", name: "headcount", required: true, min: 1, max: 100000, value: d.headcount || "" });
  const years = h("input", { name: "graduation_years", placeholder: "如 2027, 2028（不填为不限）", pattern: "\\s*(\\d{4}\\s*[,，、]?\\s*)*", "data-format": "请填写四位年份，用逗号分隔。", value: (d.graduation_years || []).join(", ") });
  const salaryMin = h("input", { type: "number", name: "salary_min", min: 0, max: 1000000, value: d.salary_min ?? "" });
  const salaryMax = h("input", { type: "number", name: "salary_max", min: 0, max: 1000000, value: d.salary_max ?? "" });
  const validUntil = h("input", { type: "date", name: "valid_until", required: true, min: inputDate(0), max: inputDate(3 * 365), value: d.valid_until || inputDate(90) });
  const description = h("textarea", { name: "description", maxlength: 5000, rows: 3 }, d.description || "");
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, demand ? "保存修改" : "保存为草稿");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h(
      "div",
      { class: "form-grid" },
      field("需求类型", kind),
      field("需求名称", title),
      h("div", { class: "field field-wide" }, h("label", { for: "major-search" }, "所需专业", h("span", { class: "req", "aria-hidden": "true" }, " *")), picker, h("small", { class: "hint" }, "可选专业大类、专业类或具体专业，最多 20 个。")),
      h("div", { class: "field field-wide" }, levels),
      field("需求人数", headcount),
      field("毕业年份", years),
      field("月薪下限（元）", salaryMin),
      field("月薪上限（元）", salaryMax),
      field("有效期至", validUntil),
      field("说明", description, { wide: true }),
    ),
    h("div", { class: "actions" }, submit, demand ? h("button", { type: "button", class: "btn", onclick: () => saved(null) }, "取消") : null),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ok = checkForm(form);
    const codes = picker.codes();
    if (!codes.length || codes.length > 20) {
      const box = picker.closest(".field");
      box.append(h("p", { class: "field-error", role: "alert" }, codes.length ? "最多选择 20 个专业。" : "请至少选择一个专业。"));
      picker.input.setAttribute("aria-invalid", "true");
      if (ok) picker.input.focus();
      return;
    }
    if (!ok) return;
    const body = {
      kind: kind.value,
      title: title.value.trim(),
      major_codes: codes,
      levels: [...form.querySelectorAll('input[name="levels"]:checked')].map((c) => c.value),
      headcount: Number(headcount.value),
      graduation_years: years.value.split(/[\s,，、]+/).filter(Boolean).map(Number),
      salary_min: salaryMin.value === "" ? null : Number(salaryMin.value),
      salary_max: salaryMax.value === "" ? null : Number(salaryMax.value),
      valid_until: validUntil.value,
      description: description.value.trim() || null,
    };
    submit.disabled = true;
    try {
      const answer = demand ? await patch(`/demands/${demand.id}`, body) : await post("/demands", body);
      await saved(answer, demand ? `已保存“${answer.title}”的修改。` : `已保存草稿“${answer.title}”。在列表中点击“开放”后，院校即可看到并应答。`);
    } catch (error) {
      showProblem(form, error);
    } finally {
      submit.disabled = false;
    }
  });
  return h("div", {}, h("h2", {}, demand ? `编辑需求：${demand.title}` : "发布新需求"), form);
}

function reasons(list) {
  return h("ul", { class: "reasons" }, list.map((r) => h("li", {}, h("span", { class: "factor" }, label("factor", r.factor)), ` ${r.text}`)));
}

async function demandDetail(demand, refresh) {
  const [matches, responses] = await Promise.all([get(`/demands/${demand.id}/matches`, { limit: 10 }), get(`/demands/${demand.id}/responses`, { limit: 50 })]);
  const colleges = await Promise.all([...new Set(responses.items.map((r) => r.college_id))].map((id) => get(`/organizations/${id}`).catch(() => null)));
  const names = Object.fromEntries(colleges.filter(Boolean).map((o) => [o.id, o.name]));
  const collegeName = (id) => names[id] || `院校 ${id}`;
  const feedback = h("div", { "aria-live": "polite" });
  const responseTable = h("div", {});
  const drawResponses = (items) =>
    mount(
      responseTable,
      table(
        [
          { title: "院校", cell: (r) => collegeName(r.college_id) },
          { title: "专业", cell: (r) => r.major_code },
          { title: "人数", num: true, cell: (r) => num(r.headcount) },
          { title: "备注", cell: (r) => r.note || "—" },
          { title: "状态", cell: (r) => badge(r.status) },
          {
            title: "答复",
            cell: (r) =>
              r.status === "pending"
                ? h(
                    "div",
                    { class: "row-actions" },
                    ["accept", "decline"].map((verb) =>
                      actionButton(verb === "accept" ? "接受" : "拒绝", async () => {
                        const answered = await post(`/demands/${demand.id}/responses/${r.id}/${verb}`);
                        items[items.indexOf(r)] = answered;
                        drawResponses(items);
                        mount(feedback, notice(`已${label("status", answered.status)}${collegeName(r.college_id)}的推荐。`));
                        refresh();
                      }, { kind: verb === "accept" ? "btn-primary" : "", target: feedback }),
                    ),
                  )
                : day(r.answered_at),
          },
        ],
        items,
        { emptyText: "还没有院校推荐学生。" },
      ),
    );
  drawResponses(responses.items);
  return h(
    "div",
    {},
    h("h2", {}, `“${demand.title}”的匹配生源`, h("small", {}, ` 按 ${periodName(matches.period)} 已发布数据，共 ${num(matches.total)} 个`)),
    matches.items.length
      ? table(
          [
            { title: "院校", cell: (m) => m.college.name },
            { title: "专业", cell: (m) => h("span", {}, h("code", {}, m.major_code), ` ${m.major_name}`) },
            { title: "层次", nowrap: true, cell: (m) => label("level", m.level) },
            { title: "届别", nowrap: true, cell: (m) => `${m.graduation_year} 届` },
            { title: "可供人数", num: true, cell: (m) => num(m.available_headcount) },
            { title: "匹配度", num: true, cell: (m) => h("span", { class: "score" }, `${Math.round(m.score * 100)}%`) },
            { title: "匹配理由", wide: true, cell: (m) => reasons(m.reasons) },
          ],
          matches.items,
        )
      : empty(demand.status === "draft" ? "草稿开放后即可匹配。" : "暂无匹配的生源。"),
    h("h2", {}, "院校推荐"),
    feedback,
    responseTable,
  );
}
