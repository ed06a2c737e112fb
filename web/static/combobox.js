// Type-ahead for a text field inside [data-combobox="<suggest URL>"]: the
// agenda builder's paper picker. It follows the WAI-ARIA 1.2 combobox
// pattern with a listbox popup and list autocomplete without automatic
// selection: typing asks the server for suggestions (GET <URL>?q=…, JSON
// {"papers": [{id, reference, title, date, public}]}); Down and Up arrows
// move through them (Down on a closed list opens it, with the most recent
// papers for an empty field), Enter chooses the active one, Escape closes
// the list (or clears the field), Tab leaves. Choosing writes the reference
// number into the field and the paper's id into a hidden <name>_id field.
// Without this script the field stays a plain text field for the
// reference number, which the server resolves on its own.
//
// With data-combobox-mode="query" the same widget completes a search box
// (the public search, GET <URL>?q=… answering a JSON array of completed
// queries): it asks only from data-min characters on, shows at most
// data-max suggestions, announces their count in a visually hidden live
// region, and choosing one (Enter or a click) puts it into the field and
// submits the search. Without the script the search form works as ever.

const DEBOUNCE_MS = 150;

// format fills %s and %d in s with args, in order.
function format(s, ...args) {
  let i = 0;
  return String(s || "").replace(/%[sd]/g, () => String(args[i++] ?? ""));
}

const dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || "de", {
  day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC",
});

function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso + "T00:00:00Z");
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

function enhance(root) {
  const input = root.querySelector("input[type=text], input[type=search]");
  const source = root.dataset.combobox;
  if (!input || !source || !input.id) return;
  const T = root.dataset;
  const queries = T.comboboxMode === "query";
  const minChars = Number(T.min) || 0;
  const maxItems = Number(T.max) || Infinity;

  const list = document.createElement("ul");
  list.id = input.id + "-listbox";
  list.className = "combo-list";
  list.setAttribute("role", "listbox");
  const label = document.querySelector(`label[for="${input.id}"]`);
  if (label) {
    if (!label.id) label.id = input.id + "-label";
    list.setAttribute("aria-labelledby", label.id);
  }
  list.hidden = true;
  const status = document.createElement("p");
  // A search box's status is heard, not seen: the header has no room for it.
  status.className = queries ? "admin-vh" : "combo-status";
  status.setAttribute("role", "status");
  // A search box needs no id of the chosen query: a detached field.
  const chosenID = document.createElement("input");
  chosenID.type = "hidden";
  chosenID.name = input.name + "_id";
  input.after(list);
  if (queries) {
    root.append(status);
  } else {
    root.append(chosenID);
    root.after(status); // below the field: the open list covers it, not the other way round
  }

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  let items = [];       // the suggestions shown
  let shownFor = null;  // the query they answer
  let active = -1;      // index of the visually focused option
  let timer = 0;
  let seq = 0;          // the latest request; older answers are dropped
  let controller = null;
  let chose = false;    // the last Enter chose a suggestion

  const optionID = (i) => `${input.id}-opt-${i}`;
  const describe = (p) => [p.reference, p.title].filter(Boolean).join(" – ");
  // A query suggestion is shown like a paper with only a title.
  const fromBody = (body) => queries
    ? (Array.isArray(body) ? body : []).slice(0, maxItems).map((q) => ({ title: String(q), query: String(q) }))
    : (Array.isArray(body.papers) ? body.papers : []);

  function setActive(i) {
    const before = list.querySelector('[aria-selected="true"]');
    if (before) before.setAttribute("aria-selected", "false");
    active = i;
    if (i < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    const el = document.getElementById(optionID(i));
    el.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", el.id);
    el.scrollIntoView({ block: "nearest" });
  }

  function open() {
    if (!items.length) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    setActive(-1);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function render(papers, query) {
    items = papers;
    shownFor = query;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    list.replaceChildren(...papers.map((p, i) => {
      const li = document.createElement("li");
      li.id = optionID(i);
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      if (queries) {
        li.textContent = p.title;
        return li;
      }
      const ref = document.createElement("span");
      ref.className = "combo-ref";
      ref.textContent = p.reference;
      const title = document.createElement("span");
      title.className = "combo-title";
      title.textContent = p.title;
      const meta = document.createElement("span");
      meta.className = "combo-meta";
      meta.textContent = [formatDate(p.date), p.public ? "" : T.nonpublic].filter(Boolean).join(" · ");
      li.append(ref, " ", title, " ", meta);
      return li;
    }));
    if (papers.length) {
      status.textContent = format(T.count, papers.length);
      open();
    } else {
      status.textContent = T.none || "";
      close();
    }
  }

  // load asks for the suggestions for the field's text; then, if given,
  // runs after(): only for the latest request.
  async function load(after) {
    const query = input.value.trim();
    const mine = ++seq;
    if (controller) controller.abort();
    if ([...query].length < minChars) {
      items = [];
      shownFor = null;
      close();
      status.textContent = "";
      return;
    }
    controller = new AbortController();
    try {
      const resp = await fetch(source + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal,
      });
      if (!resp.ok) throw new Error(String(resp.status));
      const body = await resp.json();
      if (mine !== seq) return;
      render(fromBody(body), query);
      if (after) after();
    } catch (err) {
      if (err.name === "AbortError" || mine !== seq) return;
      items = [];
      shownFor = null;
      close();
      status.textContent = T.failed;
    }
  }

  function choose(i) {
    const p = items[i];
    if (!p) return;
    if (queries) {
      input.value = p.query;
      close();
      if (input.form) input.form.requestSubmit();
      return;
    }
    input.value = p.reference || p.title;
    chosenID.value = p.id;
    shownFor = null;
    close();
    status.textContent = format(T.chosen, describe(p));
  }

  // openAt opens the list with the "first", the "last" or no option
  // active, loading the suggestions first when they do not answer the
  // field's text.
  function openAt(which) {
    const go = () => {
      open();
      if (!items.length) return;
      if (which === "first") setActive(0);
      else if (which === "last") setActive(items.length - 1);
    };
    if (shownFor === input.value.trim() && items.length) {
      go();
      return;
    }
    window.clearTimeout(timer);
    load(go);
  }

  input.addEventListener("input", () => {
    chosenID.value = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(() => load(), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (ev) => {
    if (ev.isComposing || ev.ctrlKey || ev.metaKey) return;
    const shown = !list.hidden && items.length > 0;
    switch (ev.key) {
      case "ArrowDown":
        ev.preventDefault();
        if (!shown) openAt(ev.altKey ? "none" : "first");
        else if (!ev.altKey) setActive((active + 1) % items.length);
        break;
      case "ArrowUp":
        ev.preventDefault();
        if (!shown) openAt(ev.altKey ? "none" : "last");
        else if (ev.altKey) close();
        else setActive(active <= 0 ? items.length - 1 : active - 1);
        break;
      case "Enter":
        if (shown && active >= 0) {
          ev.preventDefault();
          choose(active);
          chose = true;
        }
        break;
      case "Escape":
        if (shown) {
          ev.preventDefault();
          close();
        } else if (input.value) {
          ev.preventDefault();
          input.value = "";
          chosenID.value = "";
          status.textContent = "";
        }
        break;
      case "Tab":
        close();
        break;
      default:
    }
  });

  // Enter that chose a suggestion must not also submit the form: browsers
  // drop the keypress of a prevented keydown, but synthetic key events
  // (automation, some assistive tools) may still send it.
  input.addEventListener("keypress", (ev) => {
    if (ev.key === "Enter" && chose) ev.preventDefault();
    chose = false;
  });
  input.addEventListener("keyup", () => { chose = false; });

  input.addEventListener("blur", () => close());
  // A click keeps the focus in the field.
  list.addEventListener("mousedown", (ev) => ev.preventDefault());
  list.addEventListener("click", (ev) => {
    const li = ev.target.closest('[role="option"]');
    if (li) choose(Number(li.dataset.index));
  });
}

document.querySelectorAll("[data-combobox]").forEach(enhance);
