/**
 * PGlite has one session for every client of the embedded endpoint, so a NOTIFY reaches every
 * connection once the master LISTENs — psql then prints "Asynchronous notification
 * "scaleout_tasks" received" after a CALL. This filter drops NotificationResponse messages ('A')
 * from the server's byte stream to a connection that never sent LISTEN itself.
 */

const NOTIFICATION = 0x41; // 'A'
const AUTHENTICATION = 0x52; // 'R': the first message after startup

export class NotificationFilter {
  private pending: Buffer = Buffer.alloc(0);
  /** Until the server's first message after startup, bytes pass as they are (the SSL answer 'N' has no length). */
  private started = false;
  /** The client sent LISTEN: it wants notifications, and gets them. */
  listening = false;

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
    if (this.listening && this.pending.length === 0) return data;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const out: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= 5) {
      const total = 1 + this.pending.readInt32BE(at + 1);
      if (this.pending.length - at < total) break;
      if (this.pending[at] !== NOTIFICATION || this.listening) out.push(this.pending.subarray(at, at + total));
      at += total;
    }
    this.pending = this.pending.subarray(at);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}
