import type { ApiClient } from '../../../shared/api/client';
import type { OpInput, OpName, OpOutput } from '../../../shared/api/contract';

/** What the valid-input sequence learns as it goes, shared by every area's cases. */
export type State = {
  technicianId: string;
  password: string;
  /** Ids and paths an area's earlier steps found, for its later steps. */
  vars: Record<string, string>;
};

/** How the contract suite exercises one operation. */
export type Case<N extends OpName> = {
  /** An input the schema must refuse. */
  invalid: unknown;
  /** A valid input, given what earlier steps learned; it must succeed when called in order. */
  valid: (state: State) => OpInput<N>;
  /** Reacts to the output (keep ids, switch session, wait for background work). */
  then?: (output: OpOutput<N>, state: State, client: ApiClient) => void | Promise<void>;
};

/**
 * One area's cases, in the realistic order of its valid calls (object key order).
 *
 * `N` names exactly the area's operations, so a missing case is a compile error.
 */
export type AreaCases<N extends OpName> = { [K in N]: Case<K> };
