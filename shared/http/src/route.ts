import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type {
  CapabilityStatementRestResourceInteraction,
  CapabilityStatementRestInteraction,
  Resource,
} from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import type { LiftRule } from './lifted-base64';
import type { SearchParameterDefinition } from '@dmp/fhir';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a route accepts as body:
 * - `none`: no body is read;
 * - `resource`: FHIR JSON (`application/fhir+json` or `application/json`) or FHIR XML
 *   (`application/fhir+xml`, `application/xml`, `text/xml`), parsed to the same FHIR JSON object;
 * - `search-form`: `application/x-www-form-urlencoded` (POST `_search`), merged into `searchParams`;
 * - `patch`: a JSON Patch (`application/json-patch+json`) or a FHIRPath Patch `Parameters` (FHIR
 *   JSON), parsed; the handler tells them apart from `contentType` or the body's shape.
 */
export type BodyKind = 'none' | 'resource' | 'search-form' | 'patch';

export type Prefer = {
  return?: 'minimal' | 'representation' | 'OperationOutcome';
  handling?: 'strict' | 'lenient';
};

/** The framework-free request a handler gets. */
export interface FhirRequest {
  method: HttpMethod;
  /** Path parameters (`:id`, `:vid`). */
  params: Readonly<Record<string, string>>;
  /** Query string parameters, plus the form fields of a POST `_search`. */
  searchParams: URLSearchParams;
  /** Parsed body for `resource` and `patch` routes (FHIR JSON, whatever the encoding sent). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The authenticated caller (public routes get none). */
  actor?: Actor;
  requestId: string;
  /** Absolute FHIR base URL as the client sees it, e.g. `http://localhost:8081/fhir`. */
  baseUrl: string;
  prefer: Prefer;
}

/**
 * What a handler answers. A `resource` is sent as FHIR JSON or FHIR XML (as negotiated), a
 * `stream` as raw bytes.
 */
export interface FhirResult {
  status: number;
  resource?: Resource;
  /** A plain JSON body (not FHIR), sent as `application/json`; for `root` routes such as AuthZEN. */
  json?: object;
  stream?: Readable;
  contentType?: string;
  headers?: Record<string, string>;
}

/** How a route shows up in the CapabilityStatement. */
export type RouteCapability =
  | {
      resourceType: string;
      interaction: CapabilityStatementRestResourceInteraction['code'];
      searchParams?: readonly SearchParameterDefinition[];
      profiles?: string[];
    }
  | { resourceType: string; operation: { name: string; definition: string } }
  | { system: CapabilityStatementRestInteraction['code'] }
  | { operation: { name: string; definition: string } };

export interface RouteDefinition {
  method: HttpMethod;
  /** Express path under the FHIR base, e.g. `/DocumentReference/:id`; `/` is the base itself. */
  path: string;
  /**
   * Mounts the route at the server root instead of under the FHIR base (`path` is then absolute,
   * e.g. `/access/v1/evaluation`). Same authentication, body reading and error handling; never
   * listed in the CapabilityStatement.
   */
  root?: boolean;
  body?: BodyKind;
  /** Served without a token (only the CapabilityStatement is). */
  public?: boolean;
  capability?: RouteCapability;
  /** Checks the actor may use this route at all (e.g. scopes); throws a FhirError otherwise. */
  authorize?: (actor: Actor) => void;
  /**
   * What the route can answer: `fhir-json` (default; the name predates XML) answers FHIR JSON or
   * FHIR XML as negotiated, and 406 to a client that takes neither; `any` leaves `Accept`
   * negotiation to the handler (raw documents, ITI-68), a FHIR resource it answers going in the
   * encoding the client prefers (JSON unless it asks for XML).
   */
  produces?: 'fhir-json' | 'any';
  /** The interaction in audit terms (e.g. `ITI-67`), passed to the refusal tracer. */
  traceAs?: string;
  /**
   * A machine's frequent poll (the change feed): its successful answers are logged at `debug`
   * rather than `info`, so they do not drown the log; refusals and failures stay at `info`.
   */
  quietLog?: boolean;
  /**
   * For a JSON `resource` body carrying documents: which long base64 `data` members are decoded
   * straight from the request's bytes instead of becoming strings (see `lifted-base64.ts`); their
   * bytes are read with `liftedBytesOf`.
   */
  liftBase64?: LiftRule;
  /** Largest accepted request body for this route, overriding the service's `bodyLimit`. */
  bodyLimit?: string | number;
  handler: (request: FhirRequest) => Promise<FhirResult>;
}
