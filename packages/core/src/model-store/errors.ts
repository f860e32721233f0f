import { CrazyDigitsError } from '../errors/index.js';

/** No kept model version has this name. */
export class ModelVersionNotFoundError extends CrazyDigitsError<'MODEL_VERSION_NOT_FOUND'> {
  constructor(version: string) {
    super('MODEL_VERSION_NOT_FOUND', `no model version "${version}" is kept in the store`);
  }
}

/** Artifacts that cannot be saved: no topology, no weights, or specs that do not match the data. */
export class InvalidModelArtifactsError extends CrazyDigitsError<'INVALID_MODEL_ARTIFACTS'> {
  constructor(message: string) {
    super('INVALID_MODEL_ARTIFACTS', message);
  }
}
