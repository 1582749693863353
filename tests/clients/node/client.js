#!/usr/bin/env node
// One SOAP call with node-soap, as a Node.js application would make it: the client is built from
// the service's own ?wsdl, then calls one operation of one port. The answer goes to stdout as
// JSON: {result, request, response} (result as node-soap parsed it, request and response as the
// XML that went over the wire); a fault or any other error as {error, status, response} with exit
// code 3.
//
//   node client.js --wsdl URL --endpoint URL --service NAME --port NAME --operation NAME
//                  --args JSON [--soap12] [--username U --password P [--digest]]

'use strict';

const soap = require('soap');

function parseArguments(argv) {
  const options = { soap12: false, digest: false };
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'soap12' || key === 'digest') {
      options[key] = true;
    } else {
      options[key] = argv[i + 1];
      i += 1;
    }
  }
  for (const required of ['wsdl', 'endpoint', 'service', 'port', 'operation', 'args']) {
    if (options[required] === undefined) {
      throw new Error(`missing --${required}`);
    }
  }
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  // forceSoap12Headers: a SOAP 1.2 envelope and application/soap+xml with the action parameter.
  const client = await soap.createClientAsync(options.wsdl, {
    endpoint: options.endpoint,
    forceSoap12Headers: options.soap12,
    disableCache: true,
  });
  if (options.username !== undefined) {
    client.setSecurity(new soap.WSSecurity(options.username, options.password, {
      passwordType: options.digest ? 'PasswordDigest' : 'PasswordText',
      hasNonce: true,
      mustUnderstand: true,
    }));
  }
  const port = client[options.service] && client[options.service][options.port];
  if (!port || typeof port[options.operation] !== 'function') {
    throw new Error(`no operation ${options.service}.${options.port}.${options.operation} in ${options.wsdl}`);
  }
  const call = (args) => new Promise((resolve, reject) => {
    port[options.operation](args, (error, result) => (error ? reject(error) : resolve(result)));
  });
  try {
    const result = await call(JSON.parse(options.args));
    process.stdout.write(JSON.stringify({ result, request: client.lastRequest, response: client.lastResponse }));
  } catch (error) {
    process.stdout.write(JSON.stringify({
      error: error.message,
      status: error.response ? error.response.status : null,
      request: client.lastRequest,
      response: error.body !== undefined ? error.body : client.lastResponse,
    }));
    process.exitCode = 3;
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 2;
});
