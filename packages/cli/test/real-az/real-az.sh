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
#   real-az.sh aks         AKS and ACR over the Resource Manager: aks create/show/update --tags/list/get-credentials
#                          (then kubectl)/delete as long-running operations, acr create/list/show, acr build
#                          refused, az resource update by type and name, group delete taking its resources
#
# Prints one line per step: STEP<TAB>ok|FAIL<TAB>milliseconds<TAB>command<TAB>observed result. Tokens are never printed.
set -euo pipefail
CASE="${1:?usage: real-az.sh directory|consent|aks}"
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

# ---- az's Microsoft.Authorization client (used by the directory and aks cases)
# Debian's azure-cli 2.45 ships azure-mgmt-authorization 3.0.0, whose operations keep their
# configuration in `_config`, while az's role module reads `.config`: every `az role …` fails in the
# client with "'RoleAssignmentsOperations' object has no attribute 'config'" before a request is
# sent (Azure/azure-cli#24959; az 2.46+ reads `_config`). `azr` is az with that one attribute
# aliased (a sitecustomize on PYTHONPATH); the requests, responses and az's own logic are untouched.
mkdir -p "$WORK/az-role-fix"
cat >"$WORK/az-role-fix/sitecustomize.py" <<'PY'
import importlib
for version in ("v2015_07_01", "v2018_01_01_preview", "v2018_09_01_preview", "v2020_04_01_preview", "v2020_10_01_preview", "v2022_04_01"):
    try:
        operations = importlib.import_module("azure.mgmt.authorization.%s.operations" % version)
    except ImportError:
        continue
    for name in ("RoleAssignmentsOperations", "RoleDefinitionsOperations"):
        cls = getattr(operations, name, None)
        if cls is not None and not hasattr(cls, "config"):
            cls.config = property(lambda self: self._config)
PY
azr() { PYTHONPATH="$WORK/az-role-fix${PYTHONPATH:+:$PYTHONPATH}" az "$@"; }

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

  # ---- Azure RBAC over ARM (Microsoft.Authorization): role definitions and assignments as az makes them.
  words() { tr '\t\n' '  ' <<<"$1" | sed 's/ *$//'; } # tsv cells and lines, space-separated
  # Contributor may not assign roles; the deployer becomes User Access Administrator of the subscription.
  fails "az role assignment create --role AcrPull --assignee $APP_ID --scope /subscriptions/$TID (Contributor only)" "AuthorizationFailed" -- \
    azr role assignment create --role AcrPull --assignee "$APP_ID" --scope "/subscriptions/$TID"
  "$CREDLESS" role assignment create --assignee "$DEPLOYER" --role "User Access Administrator" --scope "/subscriptions/$TID" -o none
  report ok "(setup with credless's CLI: role assignment create --assignee $DEPLOYER --role \"User Access Administrator\" --scope /subscriptions/$TID)" ""
  ROLE_SCOPE="/subscriptions/$TID/resourceGroups/rg-roles"
  AKS_ADMIN="Azure Kubernetes Service RBAC Cluster Admin"
  step "az role definition list --name AcrPull --query \"[].[name,roleName]\" -o tsv" -- \
    azr role definition list --name AcrPull --query "[].[name,roleName]" -o tsv
  expect "AcrPull's definition" "$(words "$OUT")" "7f951dda-4ed3-4680-a7ca-43fe172d538d AcrPull"
  step "az role assignment create --role \"$AKS_ADMIN\" --assignee $APP_ID --scope $ROLE_SCOPE --query \"[principalId,principalType,scope]\" -o tsv" -- \
    azr role assignment create --role "$AKS_ADMIN" --assignee "$APP_ID" --scope "$ROLE_SCOPE" \
    --query "[principalId,principalType,scope]" -o tsv
  expect "assigned to the app's service principal at the scope" "$(words "$OUT")" "$SP_ID ServicePrincipal $ROLE_SCOPE"
  step "az role assignment create … (again: az answers with the existing one) --query id -o tsv" -- \
    azr role assignment create --role "$AKS_ADMIN" --assignee "$APP_ID" --scope "$ROLE_SCOPE" --query id -o tsv
  ASSIGNMENT_ID="$OUT"
  step "az role assignment list --assignee $APP_ID --scope $ROLE_SCOPE --query \"[].[id,roleDefinitionName]\" -o tsv" -- \
    azr role assignment list --assignee "$APP_ID" --scope "$ROLE_SCOPE" --query "[].[id,roleDefinitionName]" -o tsv
  expect "one assignment, the one created" "$(words "$OUT")" "$ASSIGNMENT_ID $AKS_ADMIN"
  step "az role assignment list --all --assignee $APP_ID --query \"[].scope\" -o tsv" -- \
    azr role assignment list --all --assignee "$APP_ID" --query "[].scope" -o tsv
  expect "listed subscription-wide" "$OUT" "$ROLE_SCOPE"
  step "az role assignment delete --ids $ASSIGNMENT_ID" -- azr role assignment delete --ids "$ASSIGNMENT_ID"
  step "az role assignment list --assignee $APP_ID --scope $ROLE_SCOPE --query \"length(@)\" (after delete)" -- \
    azr role assignment list --assignee "$APP_ID" --scope "$ROLE_SCOPE" --query "length(@)"
  expect "no assignment left" "$OUT" 0
  fails "az role assignment create --role \"Cluster Wizard\" --assignee $APP_ID --scope $ROLE_SCOPE" "Role 'Cluster Wizard' doesn't exist" -- \
    azr role assignment create --role "Cluster Wizard" --assignee "$APP_ID" --scope "$ROLE_SCOPE"
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
elif [ "$CASE" = consent ]; then
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
elif [ "$CASE" = aks ]; then
  # ---- AKS and ACR over ARM: Microsoft.ContainerService/managedClusters on a local cluster (long-running
  # operations polled by az), Microsoft.ContainerRegistry/registries on a credless registry.
  "$CREDLESS" role assignment create --assignee "$DEPLOYER" --role Owner --scope "/subscriptions/$TID" -o none
  report ok "(setup with credless's CLI: role assignment create --assignee $DEPLOYER --role Owner --scope /subscriptions/$TID)" ""
  step "az group create -n rg-aks -l westeurope --query properties.provisioningState -o tsv" -- \
    az group create -n rg-aks -l westeurope --query properties.provisioningState -o tsv
  # az 2.45 has no --enable-workload-identity (az 2.47 has): az itself refuses it, before any request.
  # Workload identity is switched on below with az resource update, as any ARM property can be.
  fails "az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --enable-workload-identity (az 2.45 has no such flag)" \
    "unrecognized arguments: --enable-workload-identity" -- \
    az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --enable-workload-identity --no-ssh-key
  step "az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --no-ssh-key --debug (201 + Azure-AsyncOperation polled: what az logged)" -- \
    bash -c 'az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --no-ssh-key --debug 2>&1 | grep -Eo "(Response status: [0-9]+|/locations/westeurope/operations/|\"status\":\"[A-Za-z]+\")" | sort -u | paste -sd " "'
  # InProgress shows only when az polls before a replica serves the cluster's API.
  expect "created (201), az polled the operation to Succeeded" "${OUT/\"status\":\"InProgress\" /}" \
    '"status":"Succeeded" /locations/westeurope/operations/ Response status: 200 Response status: 201'
  step "az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --no-ssh-key (again) --query \"[provisioningState,oidcIssuerProfile.issuerUrl]\" -o tsv" -- \
    az aks create -g rg-aks -n dev-aks --enable-oidc-issuer --no-ssh-key --query "[provisioningState,oidcIssuerProfile.issuerUrl]" -o tsv
  ISSUER="$(sed -n 2p <<<"$OUT")"
  expect "created again: the same cluster" "$(head -n 1 <<<"$OUT")" Succeeded
  step "az aks show -g rg-aks -n dev-aks --query \"[oidcIssuerProfile.issuerUrl,identityProfile.kubeletidentity.objectId,aadProfile.enableAzureRbac,enableRbac,id]\" -o tsv" -- \
    az aks show -g rg-aks -n dev-aks --query "[oidcIssuerProfile.issuerUrl,identityProfile.kubeletidentity.objectId,aadProfile.enableAzureRbac,enableRbac,id]" -o tsv
  expect "issuer URL under credless, as create said" "$(head -n 1 <<<"$OUT")" "$ISSUER"
  expect "issuer URL is credless's" "${ISSUER%%/oidc/*}" "$CREDLESS_URL"
  KUBELET="$(sed -n 2p <<<"$OUT")"
  AKS_ID="$(sed -n 5p <<<"$OUT")"
  expect "Azure RBAC and Kubernetes RBAC" "$(sed -n 3,4p <<<"$OUT" | paste -sd ' ')" "true true"
  step "curl ${ISSUER}.well-known/openid-configuration (the issuer az aks show names)" -- \
    bash -c 'curl -fsS "$1.well-known/openid-configuration" | node -e "let s=\"\";process.stdin.on(\"data\",(d)=>(s+=d)).on(\"end\",()=>process.stdout.write(JSON.parse(s).issuer))"' _ "$ISSUER"
  expect "the issuer serves its discovery document" "$OUT" "$ISSUER"
  step "az provider show -n Microsoft.ContainerService --query registrationState -o tsv" -- \
    az provider show -n Microsoft.ContainerService --query registrationState -o tsv
  expect "provider registered" "$OUT" Registered
  step "az resource update --ids $AKS_ID --set properties.securityProfile.workloadIdentity.enabled=true --query properties.securityProfile.workloadIdentity.enabled -o tsv" -- \
    az resource update --ids "$AKS_ID" --set properties.securityProfile.workloadIdentity.enabled=true \
    --query properties.securityProfile.workloadIdentity.enabled -o tsv
  expect "workload identity on" "$OUT" true
  # Tags a cluster keeps (az aks update PUTs the whole cluster back), and az resource update's own path
  # (…/providers/Microsoft.ContainerService//managedClusters/…: an empty parent resource path).
  step "az aks update -g rg-aks -n dev-aks --tags env=dev --query \"[tags.env,agentPoolProfiles[0].vmSize]\" -o tsv" -- \
    az aks update -g rg-aks -n dev-aks --tags env=dev --query "[tags.env,agentPoolProfiles[0].vmSize]" -o tsv
  expect "tags kept, node pool size as az create sent it" "$(paste -sd ' ' <<<"$OUT")" "dev Standard_DS2_v2"
  step "az resource update -g rg-aks -n dev-aks --resource-type Microsoft.ContainerService/managedClusters --set tags.team=a --query tags -o json" -- \
    az resource update -g rg-aks -n dev-aks --resource-type Microsoft.ContainerService/managedClusters --set tags.team=a --query tags -o json
  expect "tags after az resource update" "$(json .env <<<"$OUT") $(json .team <<<"$OUT")" "dev a"
  step "az resource show -g rg-aks -n dev-aks --resource-type Microsoft.ContainerService/managedClusters --debug (the path az requested)" -- \
    bash -c 'az resource show -g rg-aks -n dev-aks --resource-type Microsoft.ContainerService/managedClusters --debug 2>&1 | grep -Eo "/resourcegroups/rg-aks/providers/[^?]*managedClusters/dev-aks" | sort -u'
  expect "the empty parent resource path az sends" "$OUT" "/resourcegroups/rg-aks/providers/Microsoft.ContainerService//managedClusters/dev-aks"
  step "az aks list --query \"[].name\" -o tsv" -- az aks list --query "[].name" -o tsv
  expect "clusters listed" "$OUT" dev-aks
  step "az aks list -g rg-aks --query \"[].[name,location]\" -o tsv" -- az aks list -g rg-aks --query "[].[name,location]" -o tsv
  expect "clusters of the group" "$(tr '\t' ' ' <<<"$OUT")" "dev-aks westeurope"
  step "az aks get-credentials -g rg-aks -n dev-aks --file kubeconfig (listClusterUserCredential)" -- \
    az aks get-credentials -g rg-aks -n dev-aks --file "$WORK/kubeconfig"
  "$CREDLESS" kubeconfig convert --login workloadidentity --kubeconfig "$WORK/kubeconfig" --command "$CREDLESS" >/dev/null
  printf '%s' "$FEDERATED_TOKEN" >"$WORK/federated-token"
  report ok "(setup with credless's CLI: kubeconfig convert --login workloadidentity; the deployer's GitHub Actions token as AZURE_FEDERATED_TOKEN_FILE)" ""
  step "kubectl --kubeconfig kubeconfig get --raw /version" -- \
    env AZURE_CLIENT_ID="$DEPLOYER" AZURE_TENANT_ID="$TID" AZURE_FEDERATED_TOKEN_FILE="$WORK/federated-token" \
    AZURE_AUTHORITY_HOST="$CREDLESS_URL/" kubectl --kubeconfig "$WORK/kubeconfig" get --raw /version
  expect "the cluster's API answered kubectl" "$(json .major <<<"$OUT")" 1

  step "az acr create -g rg-aks -n realazacr --sku Basic --query \"[loginServer,provisioningState]\" -o tsv" -- \
    az acr create -g rg-aks -n realazacr --sku Basic --query "[loginServer,provisioningState]" -o tsv
  expect "registry created" "$(paste -sd ' ' <<<"$OUT")" "realazacr.azurecr.io Succeeded"
  step "az acr list --query \"[].name\" -o tsv" -- az acr list --query "[].name" -o tsv
  expect "registries listed" "$OUT" realazacr
  step "az acr show -n realazacr --query \"[loginServer,id]\" -o tsv" -- az acr show -n realazacr --query "[loginServer,id]" -o tsv
  expect "login server" "$(head -n 1 <<<"$OUT")" realazacr.azurecr.io
  ACR_ID="$(sed -n 2p <<<"$OUT")"
  mkdir -p "$WORK/app" && printf 'FROM scratch\n' >"$WORK/app/Dockerfile"
  fails "az acr build -r realazacr -t app:v1 <dir>" "credless has no Azure Blob storage" -- az acr build -r realazacr -t app:v1 "$WORK/app"
  # What `az aks update --attach-acr` does; az 2.45's aks module cannot do it itself with the SDK Debian
  # ships (it passes custom_headers to azure-mgmt-authorization 3.0.0's create, even through azr).
  step "az role assignment create --role AcrPull --assignee-object-id <kubelet identity> --assignee-principal-type ServicePrincipal --scope $ACR_ID --query \"[principalId,scope]\" -o tsv" -- \
    azr role assignment create --role AcrPull --assignee-object-id "$KUBELET" --assignee-principal-type ServicePrincipal \
    --scope "$ACR_ID" --query "[principalId,scope]" -o tsv
  expect "AcrPull for the kubelet identity on the registry" "$(paste -sd ' ' <<<"$OUT")" "$KUBELET $ACR_ID"

  step "az aks delete -g rg-aks -n dev-aks --yes --debug (202 + Azure-AsyncOperation polled: what az logged)" -- \
    bash -c 'az aks delete -g rg-aks -n dev-aks --yes --debug 2>&1 | grep -Eo "(Response status: [0-9]+|/locations/westeurope/operations/|\"status\":\"[A-Za-z]+\")" | sort -u | paste -sd " "'
  expect "deleted (202), az polled the operation to Succeeded" "${OUT/\"status\":\"InProgress\" /}" \
    '"status":"Succeeded" /locations/westeurope/operations/ Response status: 200 Response status: 202'
  fails "az aks show -g rg-aks -n dev-aks (after delete)" "ResourceNotFound" -- az aks show -g rg-aks -n dev-aks
  fails "az aks show -g rg-nowhere -n dev-aks" "ResourceGroupNotFound" -- az aks show -g rg-nowhere -n dev-aks
  # Deleting a group deletes what it holds (a cluster, the registry), as Azure does.
  step "az aks create -g rg-aks -n gone-aks --no-ssh-key --query provisioningState -o tsv" -- \
    az aks create -g rg-aks -n gone-aks --no-ssh-key --query provisioningState -o tsv
  step "az group delete -n rg-aks --yes" -- az group delete -n rg-aks --yes
  step "az aks list --query \"[].name\" -o tsv (after the group delete)" -- az aks list --query "[].name" -o tsv
  expect "no cluster left" "$OUT" ""
  step "az acr list --query \"[].name\" -o tsv (after the group delete)" -- az acr list --query "[].name" -o tsv
  expect "no registry left" "$OUT" ""
fi
echo "DONE $CASE"
