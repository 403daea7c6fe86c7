// Baseline: a bare node:http server that reads and parses the same JSON bodies and answers 204, with no
// validation and no storage: the ceiling of HTTP plus JSON.parse on this machine. Prints its URL as one
// JSON line.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.statusCode = 204;
    } catch {
      res.statusCode = 400;
    }
    res.end();
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid }) + '\n'),
);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
