import { productIsBuilt } from './running-product';

/** `describe` when the services are built, `describe.skip` otherwise (jest only). */
export const describeBuilt = productIsBuilt() ? describe : describe.skip;
