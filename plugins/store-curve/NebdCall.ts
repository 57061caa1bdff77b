/** One typed nebd RPC attempt over a BrpcChannel: encode, send, decode. */
import type { BrpcChannel, RpcReply } from './BrpcChannel.js';
import type { NebdMethod } from './NebdMessages.js';
import { BrpcErrno, RpcError } from './RpcError.js';

export interface NebdReply<Res> {
  readonly response: Res;
  readonly reply: RpcReply;
}

export async function callNebd<Req extends object, Res extends object>(
  channel: BrpcChannel,
  method: NebdMethod<Req, Res>,
  generation: number,
  request: Req,
  attachment: Buffer | null,
  timeoutMs: number,
): Promise<NebdReply<Res>> {
  const reply = await channel.call(generation, method.service, method.method, method.request.encode(request), attachment, timeoutMs);
  let response: Res;
  try {
    response = method.response.decode(reply.message);
  } catch (err) {
    throw new RpcError(BrpcErrno.ERESPONSE, `cannot decode the ${method.method} reply of nebd-server: ${(err as Error).message}`, { cause: err });
  }
  return { response, reply };
}
