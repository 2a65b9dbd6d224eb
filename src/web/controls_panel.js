// wscam viewer, the camera controls panel (#controls) of the focused view: one input per control
// of the hello (a checkbox, a menu, a slider), the user's changes sent as `control` messages, the
// server's values (control_changed) shown, and its error replies shown for a while with the
// control they name put back. Only the user's own changes are ever sent: a value from the server
// never goes back to it.

const CONTROL_SETTLE_MS = 1000;  // a control the user moved is left alone this long
const ERROR_SHOWN_MS = 6000;

export class ControlsPanel {
  /**
   * panel: the #controls aside; form: the form the inputs go in; error: where an error reply shows;
   * button: the Controls button, shown while there are controls; send(message): to the focused view.
   */
  constructor({ panel, form, error, button, send }) {
    Object.assign(this, { panel, form, error, button, send });
    this.inputs = new Map();  // control id -> { apply(value), revert() }
    this.errorTimer = null;
  }

  /** A hello (or a new set of controls): the panel shows the camera's controls, if this page may use them. */
  render(hello) {
    this.form.replaceChildren();
    this.inputs.clear();
    const usable = hello.can_control && hello.controls && hello.controls.length > 0;
    this.button.hidden = !usable;
    if (!usable) { this.panel.hidden = true; return; }
    for (const c of hello.controls) {
      const { label, input, shown } = controlInput(c);
      this.inputs.set(c.id, wireControl(c, input, shown, this.send));
      this.form.append(label);
    }
  }

  /** A control_changed from the server: show the value, never send it back. */
  changed(id, value) {
    this.inputs.get(id)?.apply(value);
  }

  // An error reply about a control starts with its id and ':' or '=' ("wb_mode=2: the board refused
  // it (HTTP 500)", "quality: 70 is outside 4..63"): that control goes back to the value in effect.
  // An error naming no control (a change dropped by the rate limit) puts every control back.
  refused(reason) {
    this.showError(reason);
    let named = null;
    for (const id of this.inputs.keys()) {
      const next = reason[id.length];
      if (reason.startsWith(id) && (next === ':' || next === '=') && (!named || id.length > named.length)) named = id;
    }
    if (named) this.inputs.get(named).revert();
    else this.inputs.forEach((c) => c.revert());
  }

  // An error reply (a refused control value, a camera that did not answer) shown for a while.
  showError(reason) {
    this.error.textContent = reason;
    this.error.hidden = false;
    clearTimeout(this.errorTimer);
    this.errorTimer = setTimeout(() => { this.error.hidden = true; }, ERROR_SHOWN_MS);
  }

  /** The Controls button: the panel shown or hidden. */
  toggle() {
    this.panel.hidden = !this.panel.hidden;
    this.button.setAttribute('aria-pressed', String(!this.panel.hidden));
  }
}

// The label and input of one control, showing the camera's value: a checkbox for a bool, a select
// for a menu, otherwise a slider with its value beside it (shown).
function controlInput(c) {
  const label = document.createElement('label');
  label.textContent = c.name;
  let input;
  let shown = null;
  if (c.type === 'bool') {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = c.value !== 0;
  } else if (c.type === 'menu') {
    input = document.createElement('select');
    for (const o of c.options) input.add(new Option(o.label, o.value, false, o.value === c.value));
  } else {
    input = document.createElement('input');
    Object.assign(input, { type: 'range', min: c.min, max: c.max, step: c.step, value: c.value });
    shown = document.createElement('span');
    shown.textContent = c.value;
    label.append(shown);
    input.addEventListener('input', () => { shown.textContent = input.value; });
  }
  input.name = c.id;
  input.dataset.control = c.id;
  label.append(input);
  return { label, input, shown };
}

// Wires one control's input. Only the user's own changes are sent (input and change events come
// from the user alone: a value from the server is shown by show() below, which fires no events),
// and only when they differ from the camera's value as this page last knew it. Returns what the
// panel calls on the server's answers.
function wireControl(c, input, shown, send) {
  let known = c.value;     // the camera's value as this page knows it, or the user's change on its way
  let inEffect = c.value;  // the value the server last reported in effect
  let touched = -Infinity; // when the user last moved this control
  let pending = null;
  let settle = null;
  // Shows `known`, but never moves a control under the user's hand: while they are moving it
  // (and for a moment after), the server's answers are kept and shown once they stop, so the
  // panel always settles on the value in effect (a clamped or refused change included).
  const show = () => {
    clearTimeout(settle);
    const wait = touched + CONTROL_SETTLE_MS - performance.now();
    if (wait > 0) { settle = setTimeout(show, wait); return; }
    if (input.type === 'checkbox') input.checked = known !== 0;
    else input.value = known;
    if (shown) shown.textContent = input.value;
  };
  const sendChange = () => {
    clearTimeout(pending);
    pending = null;
    const value = input.type === 'checkbox' ? (input.checked ? 1 : 0) : Number(input.value);
    if (value === known) return;
    known = value;
    send({ type: 'control', id: c.id, value });
  };
  // Sliders send while they move, at most every 50 ms; the final change goes at once.
  input.addEventListener('input', () => {
    touched = performance.now();
    if (!pending) pending = setTimeout(sendChange, 50);
  });
  input.addEventListener('change', () => { touched = performance.now(); sendChange(); });
  return {
    // The server reports a value in effect (control_changed).
    apply(value) {
      known = inEffect = value;
      show();
    },
    // The server refused this page's change (or the camera did not answer): back to the value in effect.
    revert() {
      known = inEffect;
      show();
    },
  };
}
