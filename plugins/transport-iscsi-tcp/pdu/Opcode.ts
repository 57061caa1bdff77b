/** iSCSI PDU opcodes (RFC 7143 11.2.1.2): initiator → target and target → initiator. */
export const enum Opcode {
  // Initiator opcodes
  NopOut = 0x00,
  ScsiCommand = 0x01,
  TaskManagementRequest = 0x02,
  LoginRequest = 0x03,
  TextRequest = 0x04,
  DataOut = 0x05,
  LogoutRequest = 0x06,
  Snack = 0x10,
  // Target opcodes
  NopIn = 0x20,
  ScsiResponse = 0x21,
  TaskManagementResponse = 0x22,
  LoginResponse = 0x23,
  TextResponse = 0x24,
  DataIn = 0x25,
  LogoutResponse = 0x26,
  ReadyToTransfer = 0x31,
  AsyncMessage = 0x32,
  Reject = 0x3f,
}

/** Tag meaning "no task" / "no transfer" (ITT, TTT, SNACK tag). */
export const RESERVED_TAG = 0xffffffff;

/** Reject reasons (RFC 7143 11.17.1). */
export const enum RejectReason {
  DataDigestError = 0x02,
  SnackReject = 0x03,
  ProtocolError = 0x04,
  CommandNotSupported = 0x05,
  ImmediateCommandReject = 0x06,
  TaskInProgress = 0x07,
  InvalidDataAck = 0x08,
  InvalidPduField = 0x09,
  LongOperationReject = 0x0a,
  WaitingForLogout = 0x0c,
}

/** Async events (RFC 7143 11.9.1). */
export const enum AsyncEvent {
  ScsiAsyncEvent = 0,
  LogoutRequest = 1,
  ConnectionDropping = 2,
  AllConnectionsDropping = 3,
  NegotiationRequest = 4,
}

/** Logout reason codes (RFC 7143 11.14.1) and responses (11.15.1). */
export const enum LogoutReason {
  CloseSession = 0,
  CloseConnection = 1,
  RemoveConnectionForRecovery = 2,
}
export const enum LogoutResponseCode {
  Success = 0,
  CidNotFound = 1,
  RecoveryNotSupported = 2,
  CleanupFailed = 3,
}

/** Login stages (CSG/NSG, RFC 7143 11.12.3). */
export const enum LoginStage {
  SecurityNegotiation = 0,
  OperationalNegotiation = 1,
  FullFeaturePhase = 3,
}
