// The certificate of an ssl listener, read from its files as EMQX 5.8.9 reads them: a file that cannot be read or
// holds no PEM refuses the start, naming the option and the reason as EMQX does (emqx_tls_lib:is_valid_pem_file:
// {pem_check => enoent | eacces | not_pem, file_path => ...}). A file replaced later (a renewed certificate) is
// served to the connections that come after it, as OTP's PEM cache does once it is refreshed.
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, createServer } from 'node:tls';
import { ConfigError } from './config.mjs';

function readPem(path, option) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`emqx.conf: ${option}: #{pem_check => ${(error.code ?? 'error').toLowerCase()}, file_path => ${JSON.stringify(path)}}`);
  }
  if (!/-----BEGIN [A-Z ]+-----/.test(text)) throw new ConfigError(`emqx.conf: ${option}: #{pem_check => not_pem, file_path => ${JSON.stringify(path)}}`);
  return text;
}

export class ServerCertificate {
  constructor(options, path) {
    this.options = options;
    this.path = path;
    this.context = this.load();
  }

  load() {
    const cert = readPem(this.options.certfile, `${this.path}.certfile`);
    const key = readPem(this.options.keyfile, `${this.path}.keyfile`);
    this.stamp = this.stampOf();
    try {
      return { pem: { cert, key }, context: createSecureContext({ cert, key }) };
    } catch (error) {
      throw new ConfigError(`emqx.conf: ${this.path}: the certificate and key do not make a TLS context: ${error.message}`);
    }
  }

  stampOf() {
    return [this.options.certfile, this.options.keyfile].map((file) => { try { return statSync(file).mtimeMs; } catch { return 0; } }).join(':');
  }

  /**
   * A TLS server: a client that names the host (SNI, as devices connecting to the domain do) gets the current files,
   * reloaded when they changed; one that names none gets the certificate the listener started with.
   */
  server(onConnection) {
    return createServer({ ...this.context.pem, SNICallback: (_, done) => done(null, this.current().context) }, onConnection);
  }

  current() {
    if (this.stampOf() !== this.stamp) {
      try {
        this.context = this.load();
      } catch {
        // a half-replaced pair: the previous certificate serves until both files are readable again
      }
    }
    return this.context;
  }
}
