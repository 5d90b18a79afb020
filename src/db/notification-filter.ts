/**
 * PGlite has one session for every client of the embedded endpoint, so a NOTIFY reaches every
 * connection once the master LISTENs — psql then prints "Asynchronous notification
 * "scaleout_tasks" received" after a CALL. This filter drops NotificationResponse messages ('A')
 * from the server's byte stream to a connection that never sent LISTEN itself, and hands every one
 * it sees to `onNotification`: a NOTIFY made by a statement of an endpoint client comes back in that
 * client's byte stream only, never to the listeners of the process that holds the catalog.
 */

const NOTIFICATION = 0x41; // 'A'
const AUTHENTICATION = 0x52; // 'R': the first message after startup

export class NotificationFilter {
  private pending: Buffer = Buffer.alloc(0);
  /** Until the server's first message after startup, bytes pass as they are (the SSL answer 'N' has no length). */
  private started = false;
  /** The client sent LISTEN: it wants notifications, and gets them. */
  listening = false;

  constructor(private readonly onNotification?: (channel: string, payload: string) => void) {}

  /** What the client sent: a LISTEN (in any statement) lets notifications through from then on. */
  sawClientData(chunk: Uint8Array): void {
    if (!this.listening && /\blisten\b/i.test(Buffer.from(chunk).toString('latin1'))) this.listening = true;
  }

  /** The bytes to send on, out of what the server wrote; a partial message waits for its rest. */
  filter(chunk: Uint8Array): Buffer {
    const data = Buffer.from(chunk);
    if (!this.started) {
      if (data.length === 0 || data[0] !== AUTHENTICATION) return data;
      this.started = true;
    }
    if (this.listening && !this.onNotification && this.pending.length === 0) return data;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const out: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= 5) {
      const total = 1 + this.pending.readInt32BE(at + 1);
      if (this.pending.length - at < total) break;
      if (this.pending[at] === NOTIFICATION) this.forward(this.pending.subarray(at + 5, at + total));
      if (this.pending[at] !== NOTIFICATION || this.listening) out.push(this.pending.subarray(at, at + total));
      at += total;
    }
    this.pending = this.pending.subarray(at);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** A NotificationResponse body: the notifying backend's pid (int32), the channel and the payload (C strings). */
  private forward(body: Buffer): void {
    if (!this.onNotification || body.length < 4) return;
    const channelEnd = body.indexOf(0, 4);
    const payloadEnd = channelEnd < 0 ? -1 : body.indexOf(0, channelEnd + 1);
    if (payloadEnd < 0) return;
    try {
      this.onNotification(body.toString('utf8', 4, channelEnd), body.toString('utf8', channelEnd + 1, payloadEnd));
    } catch {
      // A listener's failure is its own; the client's byte stream goes on.
    }
  }
}
