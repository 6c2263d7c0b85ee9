// Declarations for the parts of `stun` 2.x (CJS, ships no types) that natm uses.
declare module 'stun' {
  interface AddressAttr {
    address: string;
    port: number;
    family: 'IPv4' | 'IPv6';
  }
  interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    isLegacy(): boolean;
    getXorAddress(): AddressAttr | undefined;
    getAddress(): AddressAttr | undefined;
  }
  interface StunRequest extends StunMessage {
    addXorAddress(address: string, port: number): boolean;
    addAddress(address: string, port: number): boolean;
    addSoftware(software: string): boolean;
    addFingerprint(): boolean;
    toBuffer(): Buffer;
  }
  const stun: {
    createMessage(type: number, transaction?: Buffer): StunRequest;
    decode(message: Buffer): StunMessage;
    constants: {
      STUN_BINDING_REQUEST: number;
      STUN_BINDING_RESPONSE: number;
      STUN_BINDING_ERROR_RESPONSE: number;
    };
  };
  export default stun;
}
