/** The chapter's test functions, with their derivatives, as the experiments and plots use them. */

export interface Function1D {
  /** How the report writes it. */
  formula: string;
  f(x: number): number;
  grad(x: number): number;
  hess(x: number): number;
}

export interface Function2D {
  formula: string;
  f(x1: number, x2: number): number;
  grad(x1: number, x2: number): [number, number];
  /** The Hessian, row-major [∂²f/∂x₁², ∂²f/∂x₁∂x₂, ∂²f/∂x₂∂x₁, ∂²f/∂x₂²] (Newton's method). */
  hess?(x1: number, x2: number): [number, number, number, number];
}

export const square: Function1D = {
  formula: 'f(x) = x²',
  f: (x) => x * x,
  grad: (x) => 2 * x,
  hess: () => 2,
};

export const halfSquare: Function1D = {
  formula: 'f(x) = 0.5 x²',
  f: (x) => 0.5 * x * x,
  grad: (x) => x,
  hess: () => 1,
};

/** x cos(cx): with c = 0.15π the chapter's non-convex example, with c = π its local-minimum figure. */
export function xCos(c: number, cText: string): Function1D {
  return {
    formula: `f(x) = x cos(${cText} x)`,
    f: (x) => x * Math.cos(c * x),
    grad: (x) => Math.cos(c * x) - c * x * Math.sin(c * x),
    hess: (x) => -2 * c * Math.sin(c * x) - c * c * x * Math.cos(c * x),
  };
}

export function cosh(c: number): Function1D {
  return {
    formula: `f(x) = cosh(${c} x)`,
    f: (x) => Math.cosh(c * x),
    grad: (x) => c * Math.sinh(c * x),
    hess: (x) => c * c * Math.cosh(c * x),
  };
}

export const cube: Function1D = {
  formula: 'f(x) = x³',
  f: (x) => x ** 3,
  grad: (x) => 3 * x * x,
  hess: (x) => 6 * x,
};

export const tanh: Function1D = {
  formula: 'f(x) = tanh(x)',
  f: Math.tanh,
  grad: (x) => 1 - Math.tanh(x) ** 2,
  hess: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
};

export const expHalf: Function1D = {
  formula: 'f(x) = exp(0.5 x)',
  f: (x) => Math.exp(0.5 * x),
  grad: (x) => 0.5 * Math.exp(0.5 * x),
  hess: (x) => 0.25 * Math.exp(0.5 * x),
};

export const cosPi: Function1D = {
  formula: 'f(x) = cos(πx)',
  f: (x) => Math.cos(Math.PI * x),
  grad: (x) => -Math.PI * Math.sin(Math.PI * x),
  hess: (x) => -Math.PI * Math.PI * Math.cos(Math.PI * x),
};

/** a1 x1² + a2 x2² (a saddle when a2 < 0). */
export function quadratic(a1: number, a2: number): Function2D {
  const term = (a: number, name: string, first: boolean): string => {
    const sign = a < 0 ? ' − ' : first ? '' : ' + ';
    const size = Math.abs(a) === 1 ? '' : String(Math.abs(a));
    return `${sign}${size}${name}²`;
  };
  return {
    formula: `f(x) = ${term(a1, 'x₁', true)}${term(a2, 'x₂', false)}`,
    f: (x1, x2) => a1 * x1 * x1 + a2 * x2 * x2,
    grad: (x1, x2) => [2 * a1 * x1, 2 * a2 * x2],
    hess: () => [2 * a1, 0, 0, 2 * a2],
  };
}
