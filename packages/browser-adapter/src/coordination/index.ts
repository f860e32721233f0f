export {
  coordinateRetraining,
  type RetrainCoordinationOptions,
  type RetrainCoordinator,
} from './coordinate-retraining.js';
