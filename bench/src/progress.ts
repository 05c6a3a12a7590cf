/** One progress line, rewritten in place on a terminal and printed every few seconds otherwise. */
export function progress(): { update(line: string): void; done(): void } {
  const tty = process.stdout.isTTY;
  let last = 0;
  return {
    update(line) {
      if (tty) {
        process.stdout.write(`\r\x1b[K${line}`);
      } else if (Date.now() - last >= 5000) {
        last = Date.now();
        console.log(line);
      }
    },
    done() {
      if (tty) process.stdout.write('\n');
    },
  };
}
