/** The CA's persistent records (state.json in the CA dir). Bytes are base64 strings. */
export type RequestStatus = 'pending' | 'issued' | 'rejected';

export interface RequestRecord {
  /** Unguessable poll id handed to the requester. */
  readonly id: string;
  readonly nodeId: string;
  readonly owner: string;
  readonly receivedAt: number;
  readonly csr: string;
  /** Label of the enrollment token used ("cli" for `ca sign`). */
  readonly token: string;
  status: RequestStatus;
  decidedAt?: number;
  cert?: string;
}

export interface NodeRecord {
  readonly nodeId: string;
  readonly owner: string;
  readonly issuedAt: number;
  readonly expires: number;
  readonly cert: string;
}

export interface RevokedRecord {
  readonly nodeId: string;
  readonly at: number;
}

export interface CaState {
  requests: RequestRecord[];
  nodes: NodeRecord[];
  revoked: RevokedRecord[];
  crlSeq: number;
  autoSigned: number;
  /** SHA-256 (hex) of one-time tokens already spent. */
  spentTokens: string[];
}

export interface CaConfig {
  readonly cluster: string;
  readonly keyId: string;
  readonly certDays: number;
}

export function emptyState(): CaState {
  return { requests: [], nodes: [], revoked: [], crlSeq: 0, autoSigned: 0, spentTokens: [] };
}

/** Bounds on what unauthenticated requesters can make the CA store. */
export const MAX_PENDING = 1000;
