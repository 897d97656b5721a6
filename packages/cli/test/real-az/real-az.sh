#!/usr/bin/env bash
# The real Azure CLI against credless, run by real-az.test.ts INSIDE `unshare --net --mount`: a private
# network namespace (loopback only) and a private mount namespace, where a bind-mounted hosts file maps
# Microsoft's host names to 127.0.0.1 (the machine's own /etc/hosts is never touched). credless serves
# those names on :443 with its local CA, as `credless az-env` says.
#
#   real-az.sh directory   login, account, resource groups, Entra groups, apps, federated credentials, sp show,
#                          tokens, cert login
#   real-az.sh consent     the steps that need oauth2PermissionGrants, checkMemberGroups, portal consent
#                          and client secrets (ad app permission …, ad group member check, create-for-rbac)
#
# Prints one line per step: STEP<TAB>ok|FAIL<TAB>milliseconds<TAB>command<TAB>observed result. Tokens are never printed.
set -euo pipefail
CASE="${1:?usage: real-az.sh directory|consent}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
CREDLESS="$ROOT/node_modules/.bin/credless"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/credless-real-az.XXXXXX")"
DATA="$WORK/data"
SERVER_PID=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/credless.log" ]; then tail -n 30 "$WORK/credless.log" >&2; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# ---- the namespace: loopback up, Microsoft's names on 127.0.0.1 in a private hosts file
ip link set lo up
env_json="$("$CREDLESS" az-env --data-dir "$DATA" -o json)"
field() { node -e 'const v=JSON.parse(process.argv[1]);const p=process.argv[2].split(".");let x=v;for(const k of p)x=x[k];process.stdout.write(typeof x==="string"?x:JSON.stringify(x))' "$env_json" "$1"; }
printf '127.0.0.1 localhost\n::1 localhost\n%s\n' "$(field hostsLine)" >"$WORK/hosts"
mount --bind "$WORK/hosts" /etc/hosts

# ---- credless as az-env says, in this namespace
# shellcheck disable=SC2046 # the serve line is words
set -- $(field serve)
shift # "credless"
"$CREDLESS" "$@" --data-dir "$DATA" >"$WORK/credless.log" 2>&1 &
SERVER_PID=$!
export REQUESTS_CA_BUNDLE; REQUESTS_CA_BUNDLE="$(field environment.REQUESTS_CA_BUNDLE)"
export AZURE_CORE_COLLECT_TELEMETRY; AZURE_CORE_COLLECT_TELEMETRY="$(field environment.AZURE_CORE_COLLECT_TELEMETRY)"
export AZURE_CONFIG_DIR="$WORK/az" AZURE_CORE_ONLY_SHOW_ERRORS=true AZURE_CORE_NO_COLOR=true
export CREDLESS_URL="https://login.microsoftonline.com" CREDLESS_AUTHORITY="https://login.microsoftonline.com" CREDLESS_DATA_DIR="$DATA"
export CREDLESS_CONFIG_DIR="$WORK/credless-config" NODE_EXTRA_CA_CERTS="$REQUESTS_CA_BUNDLE" CURL_CA_BUNDLE="$REQUESTS_CA_BUNDLE"
for _ in $(seq 1 120); do
  if [ -f "$REQUESTS_CA_BUNDLE" ] && curl -fsS --cacert "$REQUESTS_CA_BUNDLE" "$CREDLESS_URL/readyz" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "credless up exited" >&2; exit 1; }
  sleep 0.25
done

# ---- steps: step LABEL -- command…   (expect success)   fails LABEL PATTERN -- command… (expect failure)
OUT=""
STARTED=$(date +%s%N)
report() {
  local ms=$((($(date +%s%N) - STARTED) / 1000000))
  STARTED=$(date +%s%N)
  printf 'STEP\t%s\t%s\t%s\t%s\n' "$1" "$ms" "$2" "$(printf '%s' "$3" | tr '\n\t' '  ' | cut -c1-220)"
}
step() {
  local label="$1"; shift 2
  local rc=0
  OUT="$("$@" 2>"$WORK/stderr")" || rc=$?
  if [ "$rc" -ne 0 ]; then report FAIL "$label" "exit $rc: $(cat "$WORK/stderr")"; exit 1; fi
  # A token is a credential: its length is shown, never the token.
  if [ -n "${SECRET:-}" ]; then report ok "$label" "(a ${#OUT}-character token)"; else report ok "$label" "${OUT:-(no output)}"; fi
}
fails() {
  local label="$1" pattern="$2"; shift 3
  local rc=0
  OUT="$("$@" 2>&1)" || rc=$?
  if [ "$rc" -eq 0 ] || ! grep -Eq "$pattern" <<<"$OUT"; then report FAIL "$label" "exit $rc (wanted a failure matching /$pattern/): $OUT"; exit 1; fi
  report ok "$label" "exit $rc: $(grep -Eo "$pattern.{0,120}" <<<"$OUT" | head -n 1)"
}
expect() { # expect WHAT ACTUAL WANTED
  if [ "$2" != "$3" ]; then report FAIL "check: $1" "got '$2', wanted '$3'"; exit 1; fi
}
json() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=JSON.parse(s);const x=Function("v","return v"+process.argv[1])(v);process.stdout.write(typeof x==="string"?x:JSON.stringify(x))})' "$1"; }

STARTED=$(date +%s%N)
# ---- setup with credless's own CLI (part 1 of the seed): a deployer trusting the GitHub Actions issuer
REPO=credless-demo/real-az
TID="$("$CREDLESS" login --query tenantId -o tsv)"
DEPLOYER="$("$CREDLESS" ad sp create-for-rbac --name real-az-deployer --query appId -o tsv)"
"$CREDLESS" ad app federated-credential create --id "$DEPLOYER" -o none --parameters "{
  \"name\": \"github-main\", \"issuer\": \"$CREDLESS_URL/github-actions\",
  \"subject\": \"repo:$REPO:ref:refs/heads/main\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
"$CREDLESS" ad app permission add --id "$DEPLOYER" --api 00000003-0000-0000-c000-000000000000 -o none \
  --api-permissions 1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9=Role 06b708a9-e830-4db3-a914-8e69da51d44f=Role \
  62a82d76-70ea-41e2-9197-370581804d09=Role 498476ce-e0fe-48b0-b801-37ba7e2685c6=Role
"$CREDLESS" ad app permission admin-consent --id "$DEPLOYER" -o none
eval "$("$CREDLESS" ci env --repo "$REPO" --ref main)"
FEDERATED_TOKEN="$(curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | json .value)"
report ok "(setup with credless's CLI: deployer app, federated credential, Graph roles, ci env token)" "$DEPLOYER"

step "az login --service-principal -u $DEPLOYER --tenant $TID --federated-token <GitHub Actions ID token>" -- \
  az login --service-principal -u "$DEPLOYER" --tenant "$TID" --federated-token "$FEDERATED_TOKEN" \
  --query "[].{id:id,name:name,tenantId:tenantId}" -o tsv
step "az account show --query \"[id,name,tenantId]\" -o tsv" -- az account show --query "[id,name,tenantId]" -o tsv
expect "account id is the tenant's subscription" "$(head -n 1 <<<"$OUT")" "$TID"

if [ "$CASE" = directory ]; then
  # az rest picks the ARM token for management.azure.com itself; credless's ARM checks it.
  step "az rest --method GET --uri https://management.azure.com/subscriptions/$TID?api-version=2022-12-01 --query state -o tsv" -- \
    az rest --method GET --uri "https://management.azure.com/subscriptions/$TID?api-version=2022-12-01" --query state -o tsv
  expect "the subscription is enabled" "$OUT" Enabled
  fails "az rest --method GET --uri https://management.azure.com/subscriptions (no api-version)" "MissingApiVersionParameter" -- \
    az rest --method GET --uri "https://management.azure.com/subscriptions"

  # Resource groups: refused without an Azure RBAC role, then as the subscription's Contributor.
  fails "az group create -n rg1 -l westeurope (no role assignment yet)" "AuthorizationFailed" -- \
    az group create -n rg1 -l westeurope
  "$CREDLESS" role assignment create --assignee "$DEPLOYER" --role Contributor --scope "/subscriptions/$TID" -o none
  report ok "(setup with credless's CLI: role assignment create --assignee $DEPLOYER --role Contributor --scope /subscriptions/$TID)" ""
  step "az group create -n rg1 -l westeurope --query \"[name,location,properties.provisioningState]\" -o tsv" -- \
    az group create -n rg1 -l westeurope --query "[name,location,properties.provisioningState]" -o tsv
  expect "group created" "$(paste -sd ' ' <<<"$OUT")" "rg1 westeurope Succeeded"
  step "az group show -n RG1 --query id -o tsv" -- az group show -n RG1 --query id -o tsv
  expect "group id (name compared case-insensitively)" "$OUT" "/subscriptions/$TID/resourceGroups/rg1"
  step "az group list --query \"[?location=='westeurope'].name\" -o tsv" -- \
    az group list --query "[?location=='westeurope'].name" -o tsv
  expect "groups listed" "$OUT" rg1
  step "az group exists -n rg1" -- az group exists -n rg1
  expect "group exists" "$OUT" true
  # --debug shows az's requests: the DELETE's 202 and its poll of the Location URL (operationresults).
  step "az group delete -n rg1 --yes --debug (202 + Location, polled: the statuses and URLs az logged)" -- \
    bash -c 'az group delete -n rg1 --yes --debug 2>&1 | grep -Eo "(Response status: [0-9]+|/operationresults/)" | sort -u | paste -sd " "'
  expect "delete answered 202 and az polled its Location to 200" "$OUT" "/operationresults/ Response status: 200 Response status: 202"
  step "az group exists -n rg1 (after delete)" -- az group exists -n rg1
  expect "group gone" "$OUT" false
  fails "az group show -n rg1 (after delete)" "ResourceGroupNotFound" -- az group show -n rg1
fi

if [ "$CASE" = directory ]; then
  step "az ad group create --display-name real-az-admins --mail-nickname real-az-admins --query id -o tsv" -- \
    az ad group create --display-name real-az-admins --mail-nickname real-az-admins --query id -o tsv
  GROUP_ID="$OUT"
  step "az ad app create --display-name real-az-api --identifier-uris api://real-az-api --query appId -o tsv" -- \
    az ad app create --display-name real-az-api --identifier-uris api://real-az-api --query appId -o tsv
  APP_ID="$OUT"
  step "az ad app show --id $APP_ID --query id -o tsv" -- az ad app show --id "$APP_ID" --query id -o tsv
  APP_OBJECT_ID="$OUT"
  step "az ad sp create --id $APP_ID --query id -o tsv" -- az ad sp create --id "$APP_ID" --query id -o tsv
  SP_ID="$OUT"
  FIC_BODY='{"name":"rest-fic","issuer":"'"$CREDLESS_URL"'/github-actions","subject":"repo:'"$REPO"':environment:dev","audiences":["api://AzureADTokenExchange"]}'
  FIC_URI="https://graph.microsoft.com/v1.0/applications/$APP_OBJECT_ID/federatedIdentityCredentials"
  step "az rest --method POST --uri $FIC_URI --body '{\"name\":\"rest-fic\",…}' --query name -o tsv" -- \
    az rest --method POST --uri "$FIC_URI" --body "$FIC_BODY" --query name -o tsv
  fails "az rest --method POST --uri $FIC_URI --body '{\"name\":\"rest-fic\",…}' (again)" "Conflict|409" -- \
    az rest --method POST --uri "$FIC_URI" --body "$FIC_BODY"
  printf '%s' '{"name":"cli-fic","issuer":"'"$CREDLESS_URL"'/github-actions","subject":"repo:'"$REPO"':ref:refs/heads/dev","audiences":["api://AzureADTokenExchange"],"description":"first"}' >"$WORK/fic.json"
  step "az ad app federated-credential create --id $APP_ID --parameters @fic.json --query subject -o tsv" -- \
    az ad app federated-credential create --id "$APP_ID" --parameters "@$WORK/fic.json" --query subject -o tsv
  step "az ad app federated-credential list --id $APP_ID --query \"[].name\" -o tsv" -- \
    az ad app federated-credential list --id "$APP_ID" --query "sort([].name)" -o tsv
  expect "credentials listed" "$(paste -sd ' ' <<<"$OUT")" "cli-fic rest-fic"
  step "az ad app federated-credential show --id $APP_ID --federated-credential-id cli-fic --query description -o tsv" -- \
    az ad app federated-credential show --id "$APP_ID" --federated-credential-id cli-fic --query description -o tsv
  sed 's/"first"/"second"/' "$WORK/fic.json" >"$WORK/fic2.json"
  step "az ad app federated-credential update --id $APP_ID --federated-credential-id cli-fic --parameters @fic2.json" -- \
    az ad app federated-credential update --id "$APP_ID" --federated-credential-id cli-fic --parameters "@$WORK/fic2.json"
  step "az ad app federated-credential show … --query description -o tsv (after update)" -- \
    az ad app federated-credential show --id "$APP_ID" --federated-credential-id cli-fic --query description -o tsv
  expect "updated description" "$OUT" second
  step "az ad app federated-credential delete --id $APP_ID --federated-credential-id cli-fic" -- \
    az ad app federated-credential delete --id "$APP_ID" --federated-credential-id cli-fic
  step "az ad sp show --id $APP_ID --query id -o tsv" -- az ad sp show --id "$APP_ID" --query id -o tsv
  expect "sp by appId" "$OUT" "$SP_ID"
  step "az ad sp show --id $SP_ID --query appId -o tsv" -- az ad sp show --id "$SP_ID" --query appId -o tsv
  expect "sp by object id" "$OUT" "$APP_ID"
  step "az ad app show --id api://real-az-api --query appId -o tsv" -- az ad app show --id api://real-az-api --query appId -o tsv
  expect "app by identifier URI" "$OUT" "$APP_ID"
  step "az ad group member add --group real-az-admins --member-id $SP_ID" -- \
    az ad group member add --group real-az-admins --member-id "$SP_ID"
  step "az ad group member list --group $GROUP_ID --query \"[].id\" -o tsv" -- \
    az ad group member list --group "$GROUP_ID" --query "[].id" -o tsv
  expect "group members" "$OUT" "$SP_ID"
  SECRET=1 step "az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv" -- \
    az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv
  GRAPH_TOKEN="$OUT"
  step "curl https://graph.microsoft.com/v1.0/applications/$APP_OBJECT_ID -H 'Authorization: Bearer <that token>'" -- \
    bash -c 'curl -fsS -H "Authorization: Bearer $1" "$2" | node -e "let s=\"\";process.stdin.on(\"data\",(d)=>(s+=d)).on(\"end\",()=>process.stdout.write(JSON.parse(s).appId))"' _ \
    "$GRAPH_TOKEN" "https://graph.microsoft.com/v1.0/applications/$APP_OBJECT_ID"
  expect "Graph accepted az's token" "$OUT" "$APP_ID"

  # Certificate login: a combined PEM (key + certificate) whose certificate is on the app's keyCredentials.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
    -subj "/CN=real-az-api" >/dev/null 2>&1
  cat "$WORK/key.pem" "$WORK/cert.pem" >"$WORK/combined.pem"
  step "az ad app credential reset --id $APP_ID --cert @cert.pem --append --query appId -o tsv" -- \
    az ad app credential reset --id "$APP_ID" --cert "@$WORK/cert.pem" --append --query appId -o tsv
  # No `az logout` first: it asks for /organizations' discovery, which credless does not serve; a
  # second login replaces the active account all the same.
  step "az login --service-principal -u $APP_ID -p combined.pem --tenant $TID --query \"[].name\" -o tsv" -- \
    az login --service-principal -u "$APP_ID" -p "$WORK/combined.pem" --tenant "$TID" --query "[].name" -o tsv
  step "az account show --query user.name -o tsv (certificate login)" -- az account show --query "user.name" -o tsv
  expect "signed in as the certificate's app" "$OUT" "$APP_ID"
else
  step "az ad app create --display-name real-az-client --query appId -o tsv" -- \
    az ad app create --display-name real-az-client --query appId -o tsv
  CLIENT_ID="$OUT"
  step "az ad sp create --id $CLIENT_ID --query id -o tsv" -- az ad sp create --id "$CLIENT_ID" --query id -o tsv
  CLIENT_SP="$OUT"
  step "az ad app permission add --id $CLIENT_ID --api 00000003-… --api-permissions df021288-…=Role e1fe6dd8-…=Scope" -- \
    az ad app permission add --id "$CLIENT_ID" --api 00000003-0000-0000-c000-000000000000 \
    --api-permissions df021288-bdef-4463-88db-98f22de89214=Role e1fe6dd8-ba31-4d61-89e7-88639da4683d=Scope
  step "az ad app permission grant --id $CLIENT_ID --api 00000003-… --scope User.Read --query scope -o tsv" -- \
    az ad app permission grant --id "$CLIENT_ID" --api 00000003-0000-0000-c000-000000000000 --scope User.Read \
    --query scope -o tsv
  step "az ad app permission list-grants --id $CLIENT_ID --query \"[].scope\" -o tsv" -- \
    az ad app permission list-grants --id "$CLIENT_ID" --query "[].scope" -o tsv
  step "az ad app permission admin-consent --id $CLIENT_ID" -- az ad app permission admin-consent --id "$CLIENT_ID"
  step "az ad group create --display-name real-az-readers --mail-nickname real-az-readers --query id -o tsv" -- \
    az ad group create --display-name real-az-readers --mail-nickname real-az-readers --query id -o tsv
  step "az ad group member add --group real-az-readers --member-id $CLIENT_SP" -- \
    az ad group member add --group real-az-readers --member-id "$CLIENT_SP"
  step "az ad group member check --group real-az-readers --member-id $CLIENT_SP --query value -o tsv" -- \
    az ad group member check --group real-az-readers --member-id "$CLIENT_SP" --query value -o tsv
  expect "member check" "$OUT" true
  step "az ad sp create-for-rbac --name real-az-secret --query appId -o tsv (secret; audited)" -- \
    az ad sp create-for-rbac --name real-az-secret --query appId -o tsv
  step "az ad sp create-for-rbac --name real-az-cert --create-cert --query appId -o tsv" -- \
    az ad sp create-for-rbac --name real-az-cert --create-cert --query appId -o tsv
fi
echo "DONE $CASE"
