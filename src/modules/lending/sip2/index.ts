// SIP2 for self-service kiosks (issue #6 item 9): the TCP/TLS server, kiosk credentials and the
// wire protocol. `serve` starts the server when SIP2_PORT is set; the CLI adds kiosks.
export { startSip2Server, type Sip2Server, type Sip2Logger } from './sip2.server.ts';
export { addKiosk, authenticateKiosk, seedDemoKiosk, DEMO_KIOSK, loginName, type Kiosk } from './kiosk.service.ts';
export { Sip2Client } from './client.ts';
export { lendingBackend } from './backend.ts';
