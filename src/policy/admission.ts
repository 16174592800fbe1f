/**
 * Kubernetes admission: `handleAdmissionReview` turns an `admission.k8s.io/v1` AdmissionReview into
 * the response the API server expects (allowed, status, base64 JSONPatch, warnings), inside a
 * deadline; `admissionRequestListener` serves it over node:http / node:https.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../errors/base.js';
import { AdmissionReviewError } from '../errors/policy.js';
import { abortError, throwIfAborted, untilAborted } from '../internal/abort.js';
import {
  array,
  type Infer,
  isJsonObject,
  literal,
  nonEmptyString,
  object,
  optionalOrNull,
  readShape,
  refine,
  string,
  unknownValue,
} from '../internal/shape.js';
import type { PolicyDecision, RuleResult } from './common/decision.js';
import { oneLineMessage } from './common/json-value.js';
import type { PolicyEngine } from './engine.js';

/**
 * Options of {@link handleAdmissionReview}: the deadline, Audit warnings, namespace labels and an
 * abort signal.
 */
export interface AdmissionReviewOptions {
  /**
   * Time budget for one review, in milliseconds. Default 8000: Kyverno's default webhook timeout is
   * 10 s, and the answer must reach the API server before it gives up. Images not verified in time
   * get an `error` result, which denies when the policy's failurePolicy is Fail.
   */
  readonly deadlineMs?: number;
  /**
   * Add a warning for every failure of an Audit rule (default true). Kyverno returns them only with
   * `spec.emitWarning`; without one an Audit failure is invisible to whoever applied the object.
   */
  readonly auditWarnings?: boolean;
  /** Labels of a namespace, for policies with `namespaceSelector`. */
  readonly namespaceLabels?: (namespace: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * The caller's abort (e.g. the HTTP client went away): the review stops and rejects with
   * `AbortedError` (or `OperationTimeoutError`), `signal.reason` as the cause. The deadline is
   * `deadlineMs`, which still answers.
   */
  readonly signal?: AbortSignal;
}

/** The `response` of an `admission.k8s.io/v1` AdmissionReview, as the API server reads it. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: {
    readonly code: number;
    readonly status: 'Failure';
    readonly reason: string;
    readonly message: string;
  };
  readonly patchType?: 'JSONPatch';
  /** Base64 of the JSON patch array. */
  readonly patch?: string;
  readonly warnings?: readonly string[];
}

/**
 * The AdmissionReview sent back to the API server, with the engine decision alongside for logging.
 */
export interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
  /** The full decision, for logging (not part of what Kubernetes reads). */
  readonly decision?: PolicyDecision;
}

const kubernetesObject = refine(unknownValue, (v) => (isJsonObject(v) ? undefined : 'a Kubernetes object'));

/** The part of an `admission.k8s.io/v1` AdmissionReview the webhook reads. */
const admissionReview = object(
  {
    apiVersion: literal('admission.k8s.io/v1'),
    kind: literal('AdmissionReview'),
    request: object(
      {
        uid: nonEmptyString,
        operation: literal('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
        namespace: optionalOrNull(string),
        object: optionalOrNull(kubernetesObject),
        oldObject: optionalOrNull(kubernetesObject),
        userInfo: optionalOrNull(
          object({ username: optionalOrNull(string), groups: optionalOrNull(array(string)) }),
        ),
      },
      'an admission request (uid, operation, object)',
    ),
  },
  'an admission.k8s.io/v1 AdmissionReview (set admissionReviewVersions: ["v1"] in the webhook configuration)',
);
type AdmissionRequest = Infer<typeof admissionReview>['request'];

function parseRequest(review: unknown): AdmissionRequest {
  return readShape(review, admissionReview, 'AdmissionReview', (message) => new AdmissionReviewError(message))
    .request;
}

function deadlineDecision(decision: PolicyDecision | undefined, ms: number): PolicyDecision {
  return (
    decision ?? {
      allowed: false,
      message: `image verification did not finish within the ${ms} ms deadline`,
      patches: [],
      warnings: [],
      results: [],
    }
  );
}

/**
 * Answers one AdmissionReview with `engine`'s decision. Throws `AdmissionReviewError` for input
 * that is not an `admission.k8s.io/v1` AdmissionReview (answer those with HTTP 400).
 */
export async function handleAdmissionReview(
  engine: PolicyEngine,
  review: unknown,
  options: AdmissionReviewOptions = {},
): Promise<AdmissionReviewResponse> {
  const request = parseRequest(review);
  const { uid, operation } = request;
  const object = request.object as Record<string, unknown> | undefined;
  if (operation === 'DELETE' || operation === 'CONNECT')
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } };
  // The API server always sends the object of a CREATE or UPDATE; a review without one is not
  // something to admit unchecked.
  if (object === undefined)
    throw new AdmissionReviewError(`AdmissionReview request.object is missing for a ${operation} operation`);

  const deadlineMs = options.deadlineMs ?? 8000;
  if (!(typeof deadlineMs === 'number' && deadlineMs >= 0 && deadlineMs <= 2 ** 31 - 1))
    throw new InvalidArgumentError('deadlineMs must be a number of milliseconds (0 to 2147483647)');
  const caller = options.signal;
  throwIfAborted(caller, 'the admission review');
  const started = Date.now();
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = caller === undefined ? deadline : AbortSignal.any([deadline, caller]);
  const namespace = request.namespace ?? '';
  let namespaceLabels: Readonly<Record<string, string>> | undefined;
  try {
    namespaceLabels =
      namespace !== '' && options.namespaceLabels !== undefined
        ? await untilAborted(
            Promise.resolve().then(() => options.namespaceLabels?.(namespace)),
            signal,
          )
        : undefined;
  } catch (error) {
    // The caller went away: no one is waiting for an answer.
    if (caller?.aborted) throw abortError(caller, 'the admission review');
    // Without the labels a namespaceSelector cannot be decided: fail closed rather than skip rules.
    const reason = oneLineMessage(error);
    return {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid,
        allowed: false,
        status: {
          code: 500,
          status: 'Failure',
          reason: 'InternalError',
          message: `could not read the labels of namespace ${namespace} for namespaceSelector: ${reason}`,
        },
      },
    };
  }
  const userInfo = request.userInfo;
  // What the namespace lookup left of the budget.
  const remainingMs = Math.max(0, deadlineMs - (Date.now() - started));
  // The engine answers promptly once the deadline fires; the timer is a backstop that always answers.
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), remainingMs + 250);
  });
  const decision = deadlineDecision(
    await Promise.race([
      engine.evaluate(object, {
        operation,
        ...(request.oldObject === undefined
          ? {}
          : { oldResource: request.oldObject as Record<string, unknown> }),
        ...(namespaceLabels === undefined ? {} : { namespaceLabels }),
        ...(userInfo === undefined
          ? {}
          : {
              userInfo: {
                ...(userInfo.username === undefined ? {} : { username: userInfo.username }),
                ...(userInfo.groups === undefined ? {} : { groups: userInfo.groups }),
              },
            }),
        deadlineMs: remainingMs,
        ...(caller === undefined ? {} : { signal: caller }),
      }),
      backstop,
    ]).finally(() => clearTimeout(timer)),
    deadlineMs,
  );

  const warnings = [...decision.warnings];
  if (options.auditWarnings !== false) {
    for (const r of decision.results) {
      const line = auditWarning(r);
      if (line !== undefined && !warnings.includes(line)) warnings.push(line);
    }
  }
  const response: AdmissionResponse = decision.allowed
    ? {
        uid,
        allowed: true,
        ...(decision.patches.length === 0
          ? {}
          : {
              patchType: 'JSONPatch' as const,
              patch: Buffer.from(JSON.stringify(decision.patches)).toString('base64'),
            }),
        ...(warnings.length === 0 ? {} : { warnings }),
      }
    : {
        uid,
        allowed: false,
        status: { code: 403, status: 'Failure', reason: 'Forbidden', message: decision.message ?? 'denied' },
        ...(warnings.length === 0 ? {} : { warnings }),
      };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response, decision };
}

function auditWarning(r: RuleResult): string | undefined {
  return (r.status === 'fail' || r.status === 'error') && r.action === 'Audit'
    ? `policy ${r.policy}.${r.rule}: ${r.message}`
    : undefined;
}

/**
 * Options of {@link admissionRequestListener}: those of {@link handleAdmissionReview}, a body
 * limit, patching on or off, and a decision hook.
 */
export interface AdmissionListenerOptions extends AdmissionReviewOptions {
  /** Largest request body accepted, in bytes. Default 8 MiB (an object and its old version). */
  readonly maxBodyBytes?: number;
  /**
   * Return patches (default true). Set false for a ValidatingWebhookConfiguration endpoint, which
   * must not patch: it re-checks the final object after every mutating webhook ran.
   */
  readonly patches?: boolean;
  /** Called with every decision, e.g. for audit logs. Never receives credentials. */
  readonly onDecision?: (review: AdmissionReviewResponse) => void;
}

/**
 * A request listener for `http.createServer` / `https.createServer` that answers AdmissionReviews
 * POSTed to any path: 400 for bodies that are not AdmissionReviews, 413 for oversized ones.
 */
export function admissionRequestListener(
  engine: PolicyEngine,
  options: AdmissionListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const max = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const reply = (res: ServerResponse, code: number, body: unknown) => {
    // The client may be gone (that is what aborted the review): nothing to answer then.
    if (res.destroyed || res.writableEnded || res.headersSent) return;
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  return (req, res) => {
    if (req.method !== 'POST') return reply(res, 405, { error: 'AdmissionReviews are POSTed' });
    const chunks: Buffer[] = [];
    let size = 0;
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reply(res, 413, { error: `request body over ${max} bytes` });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let review: unknown;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(res, 400, { error: 'the body is not JSON' });
      }
      handleAdmissionReview(engine, review, { ...options, signal: aborted.signal }).then(
        (answer) => {
          options.onDecision?.(answer);
          const { decision: _decision, ...wire } = answer;
          if (options.patches === false) {
            const { patch: _patch, patchType: _type, ...response } = wire.response;
            return reply(res, 200, { ...wire, response });
          }
          reply(res, 200, wire);
        },
        (error: unknown) => {
          const status = error instanceof AdmissionReviewError ? 400 : 500;
          reply(res, status, { error: oneLineMessage(error) });
        },
      );
    });
  };
}
