import * as tf from '@tensorflow/tfjs-core';
import { type Param, param } from '../../core/param.js';
import { decode, encode, isRecord, type Json } from '../../core/serialize.js';
import { checkName } from '../../core/validate.js';
import * as optim from '../../optim/index.js';
import type { Optimizer, StateDict } from '../../optim/optimizer.js';

/** A descent optimizer class, such as `Adam`: what `tfOptimizer` takes besides a name. */
// biome-ignore lint/suspicious/noExplicitAny: any descent optimizer, whatever its options.
export type OptimizerClass = new (params: any, options?: any) => Optimizer<object>;

/** The optimizer classes descent exports, by name (src/optim/index.ts). */
type Classes = typeof optim;

/**
 * The names `tfOptimizer` takes: those of the optimizer classes descent exports (src/optim/),
 * but L-BFGS, whose step needs a closure that a tf.Optimizer never has.
 */
export type TfOptimizerName = Exclude<
  {
    [K in keyof Classes]: Classes[K] extends new (...args: never) => Optimizer<object> ? K : never;
  }[keyof Classes],
  'LBFGS'
>;

/** What `tfOptimizer` takes as its optimizer: a descent optimizer class, or its name. */
export type OptimizerOrName = TfOptimizerName | OptimizerClass;

/** The class an `OptimizerOrName` names. */
export type ClassOf<S extends OptimizerOrName> = S extends TfOptimizerName ? Classes[S] : S;

/**
 * Options for the variables whose names match `match` (a RegExp, or a string compiled to one);
 * the first rule that matches a variable decides its group, the others keep the main options.
 * `O` is the optimizer's options, of which a rule sets any.
 */
export type GroupRule<O extends object = Record<string, unknown>> = {
  /** The variable names this rule takes: a RegExp, or a string compiled to one. */
  match: RegExp | string;
} & Partial<O>;

/**
 * The optimizer's options (`O`, its constructor's: PyTorch's, in camelCase) and per-variable
 * groups by name.
 */
export type TfOptimizerOptions<O extends object = Record<string, unknown>> = O & {
  /**
   * Rules giving the variables whose names match their own options; the first match decides.
   * Default none: one group.
   */
  groups?: GroupRule<O>[];
};

/**
 * The arguments after the optimizer: its constructor's own after the parameters, each with
 * `groups` added, so that the options are optional exactly when the constructor's are (Newton
 * needs its `hessian`). For a union of specs, the options of any one of them.
 */
export type TfOptimizerArgs<S extends OptimizerOrName> = S extends OptimizerOrName
  ? ClassOf<S> extends new (
      params: never,
      ...rest: infer R
    ) => unknown
    ? { [I in keyof R]: TfOptimizerOptions<NonNullable<R[I]>> }
    : never
  : never;

/** A tf Variable's mirror: a descent parameter holding its values between steps. */
interface Mirror {
  param: Param;
  /** Where its gradients are copied; `param.grad` points here on a step, else is null. */
  grad: Float32Array;
  variable: tf.Variable;
  /** The variable's dataId after our last write; any other means it was assigned elsewhere. */
  dataId: object;
}

/** tfjs-core's `NamedTensor`, which its index does not export. */
type NamedTensor = { name: string; tensor: tf.Tensor };

const stateTensorName = 'descent/state';

/**
 * A `tf.Optimizer` whose steps are taken by a descent optimizer, so any tfjs model can train with
 * descent's algorithms, groups and schedulers: `model.compile({ optimizer: tfOptimizer('AdamW') })`.
 *
 * The descent optimizer (`.optimizer`) owns the state. Each tf Variable it meets is mirrored by a
 * descent parameter; a step copies each gradient into the parameter's `grad`, steps, and assigns
 * the new values back to the variable. Variables absent from a call keep their state and are not
 * stepped (their `grad` is null, as PyTorch skips a parameter without gradient). A variable
 * assigned elsewhere (`model.setWeights`, loading weights) is read again before its next step.
 *
 * Registered with `tf.serialization` as `DescentOptimizer`: a model saved with
 * `includeOptimizer: true` records the optimizer's name, options and groups (`getConfig`) and its
 * complete state as one string tensor (`getWeights`), restored exactly by `setWeights`.
 *
 * `S` is the optimizer it was given, a name or a class: it types the options and `.optimizer`
 * (`tfOptimizer('AdamW').optimizer` is an `AdamW`).
 */
export class DescentOptimizer<S extends OptimizerOrName = OptimizerOrName> extends tf.Optimizer {
  /** The name `tf.serialization` registers the class under. */
  static get className(): string {
    return 'DescentOptimizer';
  }

  /** The descent optimizer taking the steps: give it to a scheduler, or read its state. */
  readonly optimizer: InstanceType<ClassOf<S>>;
  private readonly optimizerName: string;
  private readonly options: Record<string, unknown>;
  private readonly rules: { pattern: RegExp; options: Record<string, unknown> }[];
  private readonly mirrors = new Map<string, Mirror>();
  private pending: StateDict | null = null;

  constructor(optimizer: S, ...args: TfOptimizerArgs<S>) {
    super();
    const cls = resolveOptimizer(optimizer);
    // The types are for TypeScript; JavaScript callers (and saved configs) are checked here.
    const [options = {}] = args as unknown[];
    if (!isRecord(options)) {
      throw new TypeError(`Invalid options: ${String(options)} (expected an object)`);
    }
    const { groups = [], ...rest } = options;
    if (!Array.isArray(groups)) {
      throw new TypeError(`Invalid groups: ${String(groups)} (expected an array of rules)`);
    }
    this.rules = groups.map((rule, i) => compileRule(rule, i));
    this.optimizerName = cls.name;
    this.options = rest;
    // Groups start empty and fill as variables appear; building them now checks every option.
    const paramGroups = [{ params: [] }, ...this.rules.map((r) => ({ params: [], ...r.options }))];
    assertNoClosure(cls, rest);
    this.optimizer = new cls(paramGroups, rest) as InstanceType<ClassOf<S>>;
  }

  /** The descent optimizer's groups, so that a scheduler can take this optimizer itself. */
  get paramGroups(): InstanceType<ClassOf<S>>['paramGroups'] {
    return this.optimizer.paramGroups;
  }

  /** The descent optimizer's defaults, which a scheduler reads to cycle momentum. */
  get defaults(): InstanceType<ClassOf<S>>['defaults'] {
    return this.optimizer.defaults;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    // Every gradient is checked before any mirror or state changes.
    const checked: [string, tf.Variable, tf.Tensor][] = [];
    for (const [name, gradient] of entries) {
      if (gradient != null) checked.push([name, this.variableFor(name, gradient), gradient]);
    }
    const stepped = checked.map(([name, variable, gradient]) => {
      const mirror = this.mirror(name, variable);
      return { mirror, gradient };
    });
    if (this.pending !== null) {
      this.optimizer.loadStateDict(this.pending);
      this.pending = null;
    }
    for (const { param: p } of this.mirrors.values()) p.grad = null;
    for (const { mirror, gradient } of stepped) {
      mirror.grad.set(gradient.dataSync() as Float32Array);
      mirror.param.grad = mirror.grad;
    }
    this.optimizer.step();
    for (const { mirror } of stepped) {
      const { param: p, variable } = mirror;
      // A copy: the cpu backend keeps the very array it is given, and the next step writes p.data.
      tf.tidy(() => variable.assign(tf.tensor(p.data.slice(), variable.shape, 'float32')));
      mirror.dataId = variable.dataId;
    }
    this.incrementIterations();
  }

  /** The variable a gradient is for, once the gradient is known to fit it. */
  private variableFor(name: string, gradient: tf.Tensor): tf.Variable {
    const variable = tf.engine().registeredVariables[name];
    if (variable === undefined) {
      throw new RangeError(`Invalid gradient: there is no variable named ${JSON.stringify(name)}`);
    }
    if (variable.dtype !== 'float32' || gradient.dtype !== 'float32') {
      throw new TypeError(
        `Invalid gradient for ${JSON.stringify(name)}: a ${gradient.dtype} gradient of a ${variable.dtype} variable (expected float32)`,
      );
    }
    if (gradient.size !== variable.size) {
      throw new RangeError(
        `Invalid gradient for ${JSON.stringify(name)}: shape [${gradient.shape}], the variable's [${variable.shape}]`,
      );
    }
    this.checkSize(name, variable);
    return variable;
  }

  /** A mirrored variable must keep its size. */
  private checkSize(name: string, variable: tf.Variable): void {
    const mirrored = this.mirrors.get(name)?.param.data.length;
    if (mirrored !== undefined && mirrored !== variable.size) {
      throw new RangeError(
        `Invalid variable ${JSON.stringify(name)}: it has ${variable.size} values, ${mirrored} when this optimizer first mirrored it`,
      );
    }
  }

  /** The mirror of a variable, made on first sight and read again when assigned elsewhere. */
  private mirror(name: string, variable: tf.Variable): Mirror {
    let mirror = this.mirrors.get(name);
    if (mirror === undefined) {
      const p = param(variable.dataSync() as Float32Array, { name, shape: variable.shape });
      mirror = { param: p, grad: p.grad as Float32Array, variable, dataId: variable.dataId };
      this.optimizer.paramGroups[this.groupOf(name)].params.push(p);
      this.mirrors.set(name, mirror);
    } else if (mirror.variable !== variable || mirror.dataId !== variable.dataId) {
      mirror.param.data.set(variable.dataSync() as Float32Array);
      mirror.variable = variable;
      mirror.dataId = variable.dataId;
    }
    return mirror;
  }

  /**
   * The descent parameters mirroring `variables`, in their order: made now for a variable not
   * stepped yet (in the group its name picks, as its first step would make it), and read again
   * from one assigned elsewhere since. Once its variables are mirrored, the optimizer's state
   * can be saved and loaded before any step, with `stateDict` and `loadStateDict`.
   */
  track(variables: readonly tf.Variable[]): Param[] {
    if (!Array.isArray(variables)) {
      throw new TypeError(`Invalid variables: ${String(variables)} (expected an array)`);
    }
    variables.forEach((variable, i) => {
      if (!(variable instanceof tf.Variable) || variable.dtype !== 'float32') {
        const what =
          variable instanceof tf.Tensor
            ? `a ${variable instanceof tf.Variable ? 'variable' : 'tensor'} of dtype ${variable.dtype}`
            : String(variable);
        throw new TypeError(`Invalid variables[${i}]: ${what} (expected a float32 tf.Variable)`);
      }
      this.checkSize(variable.name, variable);
    });
    return variables.map((variable) => this.mirror(variable.name, variable).param);
  }

  /**
   * The descent optimizer's state dict, to be loaded by position (see `positional`): what
   * descent/node's `saveCheckpoint` takes as the `optimizer`, with the model's weights as `params`.
   */
  stateDict(): StateDict {
    return positional(this.pending ?? this.optimizer.stateDict());
  }

  /**
   * Restores what `stateDict` returned, at once, into the variables mirrored so far (`track`
   * them first); everything is checked before anything changes, as descent's `loadStateDict`
   * does.
   */
  loadStateDict(stateDict: unknown): void {
    if (!isRecord(stateDict) || !Array.isArray(stateDict.paramGroups)) {
      throw new TypeError('Invalid state dict: expected { state, paramGroups }');
    }
    this.optimizer.loadStateDict(positional(stateDict as unknown as StateDict));
    this.pending = null;
  }

  /** Group 0 holds the variables no rule matches; rule i's group is i + 1. */
  private groupOf(name: string): number {
    const i = this.rules.findIndex((rule) => rule.pattern.test(name));
    return i + 1;
  }

  override dispose(): void {
    this.mirrors.clear();
    super.dispose();
  }

  /** The iteration count, then descent's state dict as JSON (exact: see core/serialize). */
  override async getWeights(): Promise<NamedTensor[]> {
    const text = JSON.stringify(this.pending ?? this.optimizer.stateDict());
    return [await this.saveIterations(), { name: stateTensorName, tensor: tf.scalar(text) }];
  }

  /**
   * Restores what `getWeights` returned. The state is loaded at the next step, once the variables
   * are known again; they are matched by position, as tfjs's own optimizers do, because a model
   * loaded beside its original gets new variable names.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const entry = rest.find((w) => w.name === stateTensorName);
    if (rest.length !== 1 || entry === undefined || entry.tensor.dtype !== 'string') {
      throw new TypeError(
        `Invalid optimizer weights: expected the iteration count and one string tensor ${JSON.stringify(stateTensorName)}`,
      );
    }
    const saved = JSON.parse((await entry.tensor.data<'string'>())[0]);
    if (!isRecord(saved) || !isRecord(saved.state) || !Array.isArray(saved.paramGroups)) {
      throw new TypeError('Invalid optimizer weights: the state is not a descent state dict');
    }
    this.pending = positional({ state: saved.state, paramGroups: saved.paramGroups } as StateDict);
  }

  /**
   * The optimizer's name, options and groups. Strings are escaped so that tfjs-layers, which
   * turns every snake_case string of a saved config into camelCase, gives them back unchanged.
   */
  override getConfig(): tf.serialization.ConfigDict {
    const groups = this.rules.map(({ pattern, options }) => ({
      match: { source: pattern.source, flags: pattern.flags },
      options,
    }));
    const config = { optimizer: this.optimizerName, options: this.options, groups };
    return escapeStrings(encode(config)) as tf.serialization.ConfigDict;
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const decoded = decode(unescapeStrings(config), 'optimizer config');
    if (!isRecord(decoded) || typeof decoded.optimizer !== 'string') {
      throw new TypeError(
        'Invalid DescentOptimizer config: expected { optimizer, options, groups }',
      );
    }
    const rules = Array.isArray(decoded.groups) ? decoded.groups : [];
    const groups = rules.map((rule, i) => {
      if (!isRecord(rule) || !isRecord(rule.match) || typeof rule.match.source !== 'string') {
        throw new TypeError(`Invalid DescentOptimizer config: groups[${i}] has no match`);
      }
      return {
        ...(isRecord(rule.options) ? rule.options : {}),
        match: new RegExp(rule.match.source, String(rule.match.flags ?? '')),
      };
    });
    const options = isRecord(decoded.options) ? decoded.options : {};
    // The constructor's signature is DescentOptimizer's, which tfjs's generic type cannot say;
    // a saved config's name and options are checked there at run time.
    const make = cls as unknown as new (o: string, options: TfOptimizerOptions) => T;
    return new make(decoded.optimizer, { ...options, groups });
  }
}

/** What `registerDescentOptimizer` needs of a TensorFlow.js module: its serialization registry. */
export interface TensorFlowSerialization {
  /** `tf.serialization`, the registry of classes that models name in their saved JSON. */
  serialization: {
    /** Registers `cls` under its `className`, in the package `pkg` (tfjs-core's signature). */
    // biome-ignore lint/suspicious/noExplicitAny: any copy of tfjs-core's registerClass.
    registerClass(cls: any, pkg?: string, name?: string): unknown;
  };
}

/**
 * Registers `DescentOptimizer` with `tfjs`'s serialization, so that `tf.loadLayersModel` of a
 * model saved with `includeOptimizer: true` rebuilds its optimizer through that copy of tfjs.
 *
 * descent/tfjs registers it at import with the `@tensorflow/tfjs-core` it imports, which is the
 * application's own whenever the application has one copy of tfjs-core (descent installed from
 * the registry or from a packed tarball). A descent linked from a folder with its own
 * node_modules (`npm install /path/to/folder`, `npm link`) imports that folder's copy instead:
 * steps still work, since tfjs keeps one engine for all copies, but the application's copy does
 * not know the class and loading fails with "Unknown optimizer: DescentOptimizer". Registering
 * with the application's copy (`registerDescentOptimizer(tf)`, where `tf` is the application's
 * `@tensorflow/tfjs`) makes it load again; registering twice does no harm.
 */
export function registerDescentOptimizer(tfjs: TensorFlowSerialization): void {
  tfjs.serialization.registerClass(DescentOptimizer, 'descent');
}

registerDescentOptimizer(tf);

/**
 * A `tf.Optimizer` stepping with descent's optimizer `optimizer` (a class such as `AdamW`, or its
 * name) and its options, PyTorch's in camelCase, typed as that optimizer's. `groups` gives some
 * variables their own options by name, e.g. `groups: [{ match: /bias/, weightDecay: 0 }]`.
 */
export function tfOptimizer<S extends OptimizerOrName>(
  optimizer: S,
  ...options: TfOptimizerArgs<S>
): DescentOptimizer<S> {
  return new DescentOptimizer(optimizer, ...options);
}

/** The names `tfOptimizer` takes: every optimizer class the package exports. */
const optimizerNames = Object.keys(optim)
  .filter((name) => {
    const cls = (optim as Record<string, unknown>)[name];
    return typeof cls === 'function' && cls.prototype instanceof optim.Optimizer;
  })
  .sort((a, b) => a.localeCompare(b, 'en'));

function resolveOptimizer(optimizer: unknown): OptimizerClass {
  if (typeof optimizer === 'string') {
    checkName('optimizer', optimizer, optimizerNames);
    return (optim as unknown as Record<string, OptimizerClass>)[optimizer];
  }
  if (typeof optimizer !== 'function' || !(optimizer.prototype instanceof optim.Optimizer)) {
    throw new TypeError(
      `Invalid optimizer: ${String(optimizer)} (expected a descent optimizer class or its name)`,
    );
  }
  return optimizer as OptimizerClass;
}

function compileRule(
  rule: unknown,
  i: number,
): { pattern: RegExp; options: Record<string, unknown> } {
  if (!isRecord(rule) || !(rule.match instanceof RegExp || typeof rule.match === 'string')) {
    throw new TypeError(`Invalid groups[${i}]: expected { match: RegExp | string, ...options }`);
  }
  const { match, ...options } = rule;
  // Without g and y, test() keeps no lastIndex between variables.
  const source = typeof match === 'string' ? match : match.source;
  const flags = typeof match === 'string' ? '' : match.flags.replace(/[gy]/g, '');
  return { pattern: new RegExp(source, flags), options };
}

/**
 * Refuses optimizers that need a closure (L-BFGS): `applyGradients` has gradients, not a function
 * that recomputes the loss. A step of a throwaway copy on an empty parameter asks the class itself:
 * a 0 × 0 matrix, which every optimizer takes (Muon takes nothing but matrices).
 */
function assertNoClosure(cls: OptimizerClass, options: Record<string, unknown>): void {
  const probe = new cls([param(0, { shape: [0, 0] })], options);
  try {
    probe.step();
  } catch (error) {
    throw new TypeError(
      `Invalid optimizer: ${cls.name} cannot step from gradients alone, as a tf.Optimizer must (${(error as Error).message})`,
    );
  }
}

/**
 * A state dict without its `paramNames`, so that it loads by position: mirrors are named after
 * their variables, and tfjs names the variables of each new layer afresh (a model loaded beside
 * its original, or built again in the same process, gets new names).
 */
function positional(stateDict: StateDict): StateDict {
  const paramGroups = stateDict.paramGroups.map((group) => {
    if (!isRecord(group)) return group;
    const { paramNames: _, ...rest } = group;
    return rest;
  });
  return { state: stateDict.state, paramGroups } as StateDict;
}

function mapStrings(value: Json | undefined, f: (s: string) => string): Json | undefined {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f) ?? null);
  if (isRecord(value)) {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item as Json, f)!;
    return out;
  }
  return value;
}

const escapeStrings = (value: Json | undefined) =>
  mapStrings(value, (s) => s.replace(/%/g, '%25').replace(/_/g, '%5F'));
const unescapeStrings = (value: unknown) =>
  mapStrings(value as Json, (s) => s.replace(/%5F/g, '_').replace(/%25/g, '%'));
