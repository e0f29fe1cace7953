"use client";

import type { EscalationViewDto, PendingRequestDto } from "@/lib/dal/escalations";
import { mayHandBack } from "@/lib/escalations/policy";
import {
  claimEscalationAction,
  decideRequestAction,
  handBackEscalationAction,
  releaseEscalationAction,
  replyToCustomerAction,
  resolveEscalationAction,
} from "../actions";
import { ActionForm, textareaClass } from "./action-form";

type View = Pick<
  EscalationViewDto,
  | "id"
  | "status"
  | "kind"
  | "reason"
  | "claimedBy"
  | "viewerHoldsClaim"
  | "viewerFollowsUp"
  | "viewerMayWrite"
  | "viewerMayApprove"
  | "pending"
>;

/** What the lead can do now; every action checks permission and claim again on the server. */
export function EscalationActions({ view }: { view: View }) {
  const id = { id: view.id };
  if (view.status === "resolved")
    return <p className="text-sm text-slate-600">Resolved. Nothing left to do here.</p>;
  if (view.status === "handed_back") {
    return (
      <div className="space-y-6">
        <p className="text-sm text-slate-600">Back with the agents.</p>
        {view.viewerFollowsUp && view.viewerMayWrite ? (
          <>
            <ReplyForm id={view.id} />
            <ResolveForm id={view.id} />
          </>
        ) : null}
      </div>
    );
  }
  if (!view.viewerMayWrite)
    return <p className="text-sm text-slate-600">Your role can read the inbox only.</p>;
  if (!view.viewerHoldsClaim) {
    return (
      <div className="space-y-2">
        {view.status === "claimed" ? (
          <p className="text-sm text-slate-700" data-testid="claimed-by">
            Claimed by <span className="font-medium">{view.claimedBy ?? "another lead"}</span>.
          </p>
        ) : null}
        {view.status === "open" ? (
          <ActionForm
            action={claimEscalationAction}
            label="Claim"
            hidden={id}
            submit="Claim"
            pendingText="Claiming…"
          />
        ) : null}
      </div>
    );
  }
  return (
    <div className="space-y-6">
      {view.pending.map((request) => (
        <PendingRequest
          key={request.id}
          escalationId={view.id}
          request={request}
          mayApprove={view.viewerMayApprove}
        />
      ))}
      <ReplyForm id={view.id} />
      {mayHandBack(view.kind, view.reason) ? (
        <ActionForm
          action={handBackEscalationAction}
          label="Hand back to the agents"
          hidden={id}
          submit="Hand back"
          pendingText="Handing back…"
          tone="secondary"
        >
          <label htmlFor="hand-back-note" className="block text-sm font-medium text-slate-700">
            Note for the agents (not shown to the customer)
          </label>
          <textarea
            id="hand-back-note"
            name="note"
            rows={2}
            maxLength={2000}
            required
            className={textareaClass}
          />
        </ActionForm>
      ) : null}
      <div className="flex flex-wrap gap-3 border-t border-slate-100 pt-4">
        <ResolveForm id={view.id} />
        <ActionForm
          action={releaseEscalationAction}
          label="Release"
          hidden={id}
          submit="Release claim"
          pendingText="Releasing…"
          tone="secondary"
        />
      </div>
    </div>
  );
}

function PendingRequest({
  escalationId,
  request,
  mayApprove,
}: {
  escalationId: string;
  request: PendingRequestDto;
  mayApprove: boolean;
}) {
  const hidden = { id: escalationId, interruptionId: request.id };
  const title =
    request.kind === "tool_approval"
      ? `${request.agent ?? "An agent"} wants to call ${request.tool ?? "a tool"}`
      : "Review requested";
  return (
    <section
      aria-label="Pending request"
      className="rounded-lg border border-amber-200 bg-amber-50/60 p-3"
    >
      <h3 className="text-sm font-medium text-amber-900">{title}</h3>
      {request.prompt ? <p className="mt-1 text-sm text-amber-900">{request.prompt}</p> : null}
      <pre
        className="mt-2 overflow-x-auto rounded bg-white p-2 font-mono text-xs whitespace-pre-wrap text-slate-800"
        data-testid="pending-args"
      >
        {request.args}
      </pre>
      {mayApprove ? (
        <div className="mt-3 flex flex-wrap items-start gap-3">
          <ActionForm
            action={decideRequestAction}
            label="Approve"
            hidden={{ ...hidden, decision: "approve" }}
            submit="Approve"
            pendingText="Approving…"
          />
          <ActionForm
            action={decideRequestAction}
            label="Reject"
            hidden={{ ...hidden, decision: "reject" }}
            submit="Reject"
            pendingText="Rejecting…"
            tone="danger"
          >
            <label className="block text-xs text-slate-700">
              Reason (the agent is told)
              <input
                name="note"
                maxLength={2000}
                className="mt-1 block w-64 rounded-md border border-slate-300 px-2 py-1 text-sm"
              />
            </label>
          </ActionForm>
        </div>
      ) : (
        <p className="mt-2 text-xs text-slate-600">
          Only support leads and admins decide on tool calls.
        </p>
      )}
    </section>
  );
}

function ReplyForm({ id }: { id: string }) {
  return (
    <ActionForm
      action={replyToCustomerAction}
      label="Reply to the customer"
      hidden={{ id }}
      submit="Send reply"
      pendingText="Sending…"
    >
      <label htmlFor="customer-reply" className="block text-sm font-medium text-slate-700">
        Reply to the customer
      </label>
      <textarea
        id="customer-reply"
        name="message"
        rows={3}
        maxLength={8000}
        required
        className={textareaClass}
      />
    </ActionForm>
  );
}

function ResolveForm({ id }: { id: string }) {
  return (
    <ActionForm
      action={resolveEscalationAction}
      label="Resolve"
      hidden={{ id }}
      submit="Resolve"
      pendingText="Resolving…"
      tone="secondary"
    />
  );
}
