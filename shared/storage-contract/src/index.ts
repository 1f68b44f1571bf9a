import type { ResourceStore } from '@dmp/storage';
import { describeBlobContract } from './blob.contract';
import { describeConditionalContract } from './conditional.contract';
import { describeCrudContract } from './crud.contract';
import { describeErrorsContract } from './errors.contract';
import { describeGroupCommitContract } from './group-commit.contract';
import { describeFeedContract } from './feed.contract';
import type { ContractHarness } from './harness';
import { describeHistoryContract } from './history.contract';
import { describeIfMatchContract } from './if-match.contract';
import { describeOutboxContract } from './outbox.contract';
import { describeSearchChainContract } from './search-chain.contract';
import { describeSearchDateContract } from './search-date.contract';
import { describeSearchReferenceContract } from './search-reference.contract';
import { describeSearchStringContract } from './search-string.contract';
import { describeSearchTokenContract } from './search-token.contract';
import {
  describeSearchMissingContract,
  describeSearchUriContract,
} from './search-uri-missing.contract';
import { describeSearchCaseContract } from './search-case.contract';
import { describeSortPagingContract } from './sort-paging.contract';
import { describeTransactionContract } from './transaction.contract';
import { describeUniqueClaimContract } from './unique-claim.contract';

export type { ContractHarness } from './harness';
export * from './builders';

/**
 * The whole {@link ResourceStore} contract, registered as jest `describe` blocks. Every adapter
 * runs it unchanged; the stores must be opened with the `@dmp/fhir` `SEARCH_PARAMETERS`
 * registry. Ids and values are random, so a shared database works.
 */
export function describeResourceStoreContract(harness: ContractHarness<ResourceStore>): void {
  describeCrudContract(harness);
  describeHistoryContract(harness);
  describeConditionalContract(harness);
  describeIfMatchContract(harness);
  describeErrorsContract(harness);
  describeSearchTokenContract(harness);
  describeSearchStringContract(harness);
  describeSearchDateContract(harness);
  describeSearchReferenceContract(harness);
  describeSearchChainContract(harness);
  describeSearchUriContract(harness);
  describeSearchMissingContract(harness);
  describeSearchCaseContract(harness);
  describeSortPagingContract(harness);
  describeTransactionContract(harness);
  describeUniqueClaimContract(harness);
  describeOutboxContract(harness);
  describeGroupCommitContract(harness);
  describeFeedContract(harness);
  describeBlobContract(harness);
}
