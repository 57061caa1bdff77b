/**
 * Portal addresses: 'host:port', 'host', '[v6]:port', '[v6]' or a bare IPv6
 * address ('::1'). The port defaults to the transport's (3260 for iSCSI).
 */
import net from 'node:net';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function parseListen(listen: string, defaultPort: number): ListenAddress | Error {
  const text = listen.trim();
  let host: string;
  let portText: string | null = null;
  const bracket = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2] ?? null;
    if (net.isIPv6(host) === false) return new Error(`'${host}' in brackets is not an IPv6 address`);
  } else if ((text.match(/:/g) ?? []).length > 1) {
    if (!net.isIPv6(text)) return new Error(`'${listen}' is not an address; write IPv6 addresses with a port as [::1]:3260`);
    host = text;
  } else {
    const i = text.indexOf(':');
    host = i < 0 ? text : text.slice(0, i);
    portText = i < 0 ? null : text.slice(i + 1);
  }
  if (host === '') return new Error(`'${listen}' has no host; use e.g. 0.0.0.0:3260 to listen on every IPv4 address`);
  if (!net.isIP(host) && !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(host)) {
    return new Error(`'${host}' is neither an IP address nor a host name`);
  }
  if (portText === null) return { host, port: defaultPort };
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) return new Error(`port '${portText}' must be a number 0..65535`);
  return { host, port: Number(portText) };
}
