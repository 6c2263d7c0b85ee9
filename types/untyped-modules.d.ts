// Minimal declarations for libraries that ship no types. Only what we call is declared.
declare module 'bencode' {
  type Value = number | Uint8Array | Value[] | { [key: string]: Value };
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array, start?: number, end?: number): Value;
  };
  export default bencode;
}

declare module 'create-torrent' {
  interface Opts {
    name?: string;
    comment?: string;
    createdBy?: string;
    creationDate?: number | Date;
    private?: boolean;
    pieceLength?: number;
    announceList?: string[][];
    urlList?: string[];
  }
  function createTorrent(
    input: string | Uint8Array,
    opts: Opts,
    cb: (err: Error | null, torrent: Uint8Array) => void,
  ): void;
  export default createTorrent;
}

declare module 'parse-torrent' {
  interface ParsedFile {
    path: string;
    name: string;
    length: number;
    offset: number;
  }
  interface Parsed {
    infoHash: string;
    name: string;
    length: number;
    pieceLength: number;
    pieces: string[];
    files: ParsedFile[];
    announce: string[];
    /** BEP 27; absent when the info dict has no private key. */
    private?: boolean;
  }
  export default function parseTorrent(input: Uint8Array): Promise<Parsed>;
}
