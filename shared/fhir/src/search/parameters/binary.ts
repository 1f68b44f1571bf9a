import type { SearchParameterDefinition } from '../search-parameter';
import { commonParameters } from './define';

/** Binary has no parameters of its own (R4 defines none). */
export const BINARY_PARAMETERS: readonly SearchParameterDefinition[] = commonParameters('Binary');
