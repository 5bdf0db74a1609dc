import { createApplication } from './application.js';
import { configFromEnvironment } from './config/config.js';

const config = configFromEnvironment();
const app = await createApplication(config);
await app.listen({ port: config.port, host: '0.0.0.0' });
