import * as tf from '@tensorflow/tfjs';
import { withFeatures } from './features.js';

/**
 * A model in inference mode as a function of its variables: images [n, 28, 28, 1] to the
 * features its last layer reads and its probabilities. Gradients reach the model's variables.
 */
export type InferenceNetwork = (images: tf.Tensor4D) => { features: tf.Tensor; probabilities: tf.Tensor };

type Step = (input: tf.Tensor) => tf.Tensor;
type Config = Record<string, unknown>;

const configOf = (layer: tf.layers.Layer): Config => layer.getConfig() as Config;

/** The layer's variable whose name ends with `/suffix` (tfjs names them `<layer>/<weight>`). */
function variableOf(layer: tf.layers.Layer, suffix: string): tf.Tensor | undefined {
  return layer.weights.find((weight) => weight.originalName.endsWith(`/${suffix}`))?.read();
}

const ones = (values: readonly number[] | undefined) => (values ?? [1, 1]).every((v) => v === 1);

/** A convolution whose output batch norm can be folded into: no activation, no dilation. */
function isFoldableConv(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const config = configOf(layer);
  return (
    config.activation === 'linear' &&
    config.dataFormat === 'channelsLast' &&
    ones(config.dilationRate as number[] | undefined) &&
    (config.padding === 'same' || config.padding === 'valid')
  );
}

/** Batch norm over channels (the last axis), with its moving statistics. */
function isChannelNorm(layer: tf.layers.Layer | undefined): layer is tf.layers.Layer {
  if (layer?.getClassName() !== 'BatchNormalization') return false;
  const axis = configOf(layer).axis;
  return (axis === -1 || axis === 3) && variableOf(layer, 'moving_mean') !== undefined;
}

function isPlainRelu(layer: tf.layers.Layer | undefined): boolean {
  if (layer?.getClassName() === 'ReLU') return configOf(layer).maxValue == null;
  return layer?.getClassName() === 'Activation' && configOf(layer).activation === 'relu';
}

/** A convolution's kernel and bias with the batch norm after it folded in (a type, so `tidy` can return it). */
type Folded = { filter: tf.Tensor4D; bias: tf.Tensor };

/**
 * In inference mode batch norm is a per-channel scale and shift of the convolution's output, so
 * it moves into the kernel (scaled) and a bias. Computed from the variables, so gradients reach
 * the same kernel, gamma and beta as through the layers.
 */
function fold(conv: tf.layers.Layer, norm: tf.layers.Layer, epsilon: number): Folded {
  const kernel = variableOf(conv, 'kernel');
  const mean = variableOf(norm, 'moving_mean');
  const variance = variableOf(norm, 'moving_variance');
  if (!kernel || !mean || !variance) throw new Error('unreachable: checked when folding');
  const gamma = variableOf(norm, 'gamma');
  const beta = variableOf(norm, 'beta');
  const convBias = variableOf(conv, 'bias');
  const inverseDeviation = tf.rsqrt(tf.add(variance, epsilon));
  const scale = gamma ? tf.mul(gamma, inverseDeviation) : inverseDeviation;
  let bias = tf.neg(tf.mul(mean, scale));
  if (convBias) bias = tf.add(bias, tf.mul(convBias, scale));
  if (beta) bias = tf.add(bias, beta);
  return { filter: tf.mul(kernel, scale) as tf.Tensor4D, bias };
}

/**
 * Convolution, frozen batch norm and (optionally) ReLU as one fused convolution: one kernel
 * where there were three (the learning guide has the speed measured). Folds on every
 * call (so training follows the variables), or once into `kept` for weights that stay as they are.
 */
function foldedBlock(conv: tf.layers.Layer, norm: tf.layers.Layer, relu: boolean, kept?: tf.Tensor[]): Step {
  const config = configOf(conv);
  const epsilon = Number(configOf(norm).epsilon ?? 1e-3);
  const strides = config.strides as [number, number];
  const pad = config.padding as 'same' | 'valid';
  const once = kept ? tf.tidy(() => fold(conv, norm, epsilon)) : undefined;
  if (once) kept?.push(once.filter, once.bias);
  return (input) => {
    const { filter, bias } = once ?? fold(conv, norm, epsilon);
    return tf.fused.conv2d({
      x: input as tf.Tensor4D,
      filter,
      strides,
      pad,
      bias,
      activation: relu ? 'relu' : 'linear',
    });
  };
}

/** The steps of a sequential model, conv–norm(–relu) runs folded; undefined for other models. */
function sequentialSteps(model: tf.LayersModel, kept?: tf.Tensor[]): Step[] | undefined {
  if (!(model instanceof tf.Sequential)) return undefined;
  const steps = stepsOf(model.layers, kept);
  return steps.length >= 2 ? steps : undefined;
}

/** `layers` (consecutive layers of a sequential model) as steps, conv–norm(–relu) runs folded. */
function stepsOf(all: readonly tf.layers.Layer[], kept?: tf.Tensor[]): Step[] {
  const layers = all.filter((layer) => layer.getClassName() !== 'InputLayer');
  const steps: Step[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (!layer) continue;
    const norm = layers[i + 1];
    if (isFoldableConv(layer) && isChannelNorm(norm)) {
      const relu = isPlainRelu(layers[i + 2]);
      steps.push(foldedBlock(layer, norm, relu, kept));
      i += relu ? 2 : 1;
    } else {
      steps.push((input) => layer.apply(input, { training: false }) as tf.Tensor);
    }
  }
  return steps;
}

/** What runs `steps` (at least one); the input of the last one is the features. */
type Stepwise = (input: tf.Tensor) => { features: tf.Tensor; probabilities: tf.Tensor };

/** Runs `steps`; the input of the last one is the features. */
function stepwise(steps: Step[]): Stepwise {
  const classifier = steps.at(-1);
  const body = steps.slice(0, -1);
  if (!classifier) throw new Error('unreachable: at least one step');
  return (input) => {
    const features = body.reduce<tf.Tensor>((value, step) => step(value), input);
    return { features, probabilities: classifier(features) };
  };
}

/** `model` through its layers, for models that cannot be run step by step. */
function layered(model: tf.LayersModel): InferenceNetwork {
  const network = withFeatures(model);
  return (images) => {
    const [features, probabilities] = network.apply(images, { training: false }) as tf.Tensor[];
    if (!features || !probabilities) throw new Error('unreachable: the feature model has two outputs');
    return { features, probabilities };
  };
}

/**
 * `model` as an {@link InferenceNetwork} that follows its variables (for training). Sequential
 * models run step by step with frozen batch norm folded into the convolutions; any other model
 * runs through its layers. Throws `ModelLoadError` unless the model maps 28x28x1 images to 10
 * probabilities.
 */
export function inferenceNetwork(model: tf.LayersModel): InferenceNetwork {
  const fallback = layered(model);
  const steps = sequentialSteps(model);
  return steps ? stepwise(steps) : fallback;
}

/** An {@link InferenceNetwork} holding kernels of its own, freed by `dispose`. */
export type FrozenNetwork = InferenceNetwork & { dispose(): void };

/**
 * `model` as an {@link InferenceNetwork} for weights that do not change while it is used (a
 * teacher, a model being evaluated): the folded kernels are made once, not on every call.
 * `dispose` frees them.
 */
export function frozenNetwork(model: tf.LayersModel): FrozenNetwork {
  const fallback = layered(model);
  const kept: tf.Tensor[] = [];
  const steps = sequentialSteps(model, kept);
  return Object.assign(steps ? stepwise(steps) : fallback, { dispose: () => tf.dispose(kept) });
}

/**
 * A model cut in two for fine-tuning its later layers: the layers before the cut run once per
 * batch outside any gradient tape, with their weights as they are now (batch norm folded once,
 * fused kernels), and only the layers after it are differentiated (the learning guide has the
 * saving measured).
 */
export interface SplitNetwork {
  /** Images [n, 28, 28, 1] to the input of the layers after the cut (the images themselves when nothing is cut off). */
  frozen: (images: tf.Tensor4D) => tf.Tensor;
  /** The layers after the cut, from that input to the features and probabilities. */
  rest: Stepwise;
  /** Frees the folded kernels. */
  dispose(): void;
}

/**
 * `model` cut before `model.layers[from]`. `rest` follows the variables of the later layers (for
 * training), or with `freezeRest` uses them as they are now (for a teacher). A model that is not
 * sequential is not cut: `frozen` passes the images through and `rest` is the whole network.
 */
export function splitNetwork(model: tf.LayersModel, from: number, freezeRest = false): SplitNetwork {
  const kept: tf.Tensor[] = [];
  const whole = (): SplitNetwork => {
    const network = freezeRest
      ? frozenNetwork(model)
      : Object.assign(inferenceNetwork(model), { dispose() {} });
    return {
      frozen: (images) => images,
      rest: (input) => network(input as tf.Tensor4D),
      dispose: network.dispose,
    };
  };
  if (!(model instanceof tf.Sequential) || from <= 0) return whole();
  const head = stepsOf(model.layers.slice(0, from), kept);
  const tail = stepsOf(model.layers.slice(from), freezeRest ? kept : undefined);
  if (tail.length === 0) {
    tf.dispose(kept);
    return whole();
  }
  return {
    frozen: (images) => head.reduce<tf.Tensor>((input, step) => step(input), images),
    rest: stepwise(tail),
    dispose: () => tf.dispose(kept),
  };
}
