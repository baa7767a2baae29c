/**
 * Controls made from descent's option descriptions: a slider with a number field for a number (a
 * log-scale slider where the description says so), a checkbox, a select, a list field. Whatever the
 * reader types goes to descent as it is (text as NaN), so descent's own message says what is wrong.
 */
import type { OptionSpec, OptionValue } from 'descent';

/** A control in the page and the place beside it for descent's message. */
export interface Control {
  element: HTMLElement;
  /** Shows descent's message beside the control, or clears it. */
  setError(message?: string): void;
}

/** Called with the new value; `commit` is false while a slider is being dragged. */
export type OnValue = (value: OptionValue, commit: boolean) => void;

const slider = 1000;

/** The slider's range for a number option: the description's, or around its value. */
function sliderRange(spec: OptionSpec, value: number): { low: number; high: number; log: boolean } {
  const log = spec.scale === 'log';
  let high = spec.max ?? Math.max(1, 2 * Math.abs(value), spec.type === 'integer' ? 100 : 1);
  let low = spec.min ?? Math.min(0, -high);
  if (spec.type === 'integer') high = Math.min(high, 5000);
  if (log) {
    if (!(low > 0)) {
      const d = typeof spec.default === 'number' && spec.default > 0 ? spec.default : high * 1e-4;
      low = Math.min(d, value > 0 ? value : d, high) / 1000;
    }
    if (!(high > low)) high = low * 1e6;
  }
  return { low, high, log };
}

function toSlider(v: number, r: ReturnType<typeof sliderRange>): number {
  const f = r.log ? Math.log(v / r.low) / Math.log(r.high / r.low) : (v - r.low) / (r.high - r.low);
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * slider);
}

function fromSlider(s: number, r: ReturnType<typeof sliderRange>, integer: boolean): number {
  const f = s / slider;
  const v = r.log ? r.low * (r.high / r.low) ** f : r.low + f * (r.high - r.low);
  return integer ? Math.round(v) : Number(v.toPrecision(3));
}

/** How a value is written in a field. */
export function showValue(v: OptionValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A slider and a number field for one number; `label` names both. */
function numberPair(
  id: string,
  label: string,
  spec: OptionSpec,
  value: number | null,
  onValue: (v: number | null, commit: boolean) => void,
): HTMLElement[] {
  // null, for an option that takes it (Prodigy's beta3: √β₂), is written as such; the slider
  // then rests at its low end until a number is chosen.
  const range = sliderRange(spec, value ?? 0);
  const integer = spec.type === 'integer';
  const input = el('input', {
    type: 'range',
    min: '0',
    max: String(slider),
    value: String(value === null ? 0 : toSlider(value, range)),
    'aria-label': `${label} (slider${range.log ? ', log scale' : ''})`,
    'data-option': label,
  });
  const field = el('input', {
    type: 'text',
    inputmode: 'decimal',
    id,
    value: String(value),
    size: '8',
    'aria-label': label,
    'data-option': label,
  });
  input.addEventListener('input', () => {
    const v = fromSlider(Number(input.value), range, integer);
    field.value = String(v);
    onValue(v, false);
  });
  input.addEventListener('change', () =>
    onValue(fromSlider(Number(input.value), range, integer), true),
  );
  field.addEventListener('change', () => {
    const text = field.value.trim();
    if (text === 'null' && spec.nullable) {
      onValue(null, true);
      return;
    }
    const v = text === '' ? Number.NaN : Number(text);
    if (Number.isFinite(v)) input.value = String(toSlider(v, range));
    onValue(v, true);
  });
  return [input, field];
}

/** The control of one option; `value` is its current value (undefined: descent's default). */
export function optionControl(
  spec: OptionSpec,
  value: OptionValue | undefined,
  id: string,
  onValue: OnValue,
): Control {
  const v = value ?? spec.default;
  const row = el('div', { class: `control control-${spec.type}` });
  const label = el(
    'label',
    { for: id, title: [spec.summary, spec.reference].filter(Boolean).join(' — ') },
    spec.name,
  );
  row.append(label);
  const error = el('span', { class: 'error', role: 'alert', 'data-error': spec.name });
  if (spec.type === 'number' || spec.type === 'integer') {
    row.append(
      ...numberPair(
        id,
        spec.name,
        spec,
        typeof v === 'number' ? v : v === null && spec.nullable ? null : 0,
        onValue,
      ),
    );
  } else if (spec.type === 'pair') {
    const pair = Array.isArray(v) ? [...v] : [0, 0];
    pair.forEach((x, i) => {
      // The second number's slider goes under the first's, not under the label.
      if (i > 0) row.append(el('span'));
      row.append(
        ...numberPair(i === 0 ? id : `${id}-${i}`, `${spec.name}[${i}]`, spec, x, (x2, commit) => {
          pair[i] = x2;
          onValue([...pair], commit);
        }),
      );
    });
  } else if (spec.type === 'boolean') {
    const box = el('input', { type: 'checkbox', id, 'data-option': spec.name });
    box.checked = v === true;
    box.addEventListener('change', () => onValue(box.checked, true));
    row.append(box);
  } else if (spec.type === 'choice') {
    const select = el('select', { id, 'data-option': spec.name });
    for (const choice of spec.choices ?? []) {
      const option = el('option', { value: String(choice) }, choice === null ? 'none' : choice);
      option.selected = choice === v;
      select.append(option);
    }
    select.addEventListener('change', () =>
      onValue(select.value === 'null' ? null : select.value, true),
    );
    row.append(select);
  } else if (spec.type === 'numbers') {
    const field = el('input', {
      type: 'text',
      id,
      value: showValue(v),
      size: '14',
      'data-option': spec.name,
    });
    field.addEventListener('change', () =>
      onValue(
        field.value
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => Number(s.trim())),
        true,
      ),
    );
    row.append(field);
  }
  row.append(error);
  return {
    element: row,
    setError(message) {
      error.textContent = message ?? '';
      row.classList.toggle('invalid', message !== undefined);
    },
  };
}
