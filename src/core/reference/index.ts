export { InvalidReferenceError, isInvalidReferenceError, type InvalidReferenceCode } from './errors';
export {
  familiarName,
  parseReference,
  parseReferenceWithSpans,
  tryParseReference,
  type ImageReference,
  type ReferenceSpans,
} from './parse';
export { DOCKER_HUB, DOCKER_HUB_ALIASES, isDockerHub, normalizeHost, normalizeRegistry } from './registry';
