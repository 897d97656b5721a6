#!/usr/bin/env bash
# The seed's GitHub Action ("Getting rid of credentials in Azure - Part 4"), step by step, with `az`,
# `kubectl apply` and `kubelogin` replaced by credless commands, against a local credless.
#
#   CREDLESS_URL set:   uses that credless; CREDLESS_DATA_DIR (default ./.credless) must be its data
#                       directory (the cluster, registry and role commands act on it, as az acts on ARM).
#   CREDLESS_URL unset: starts `credless up` in a temporary data directory and stops it at the end.
#
# Every step is idempotent: run it again and it succeeds again, changing nothing (no continue-on-error).
# Inputs (the seed's workflow inputs): APP_NAME, ENVIRONMENT, GITHUB_REPOSITORY, RUN_NUMBER.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SEED_APP="$ROOT/examples/seed-app"
if [ ! -x "$ROOT/node_modules/.bin/credless" ]; then
  echo "credless is not installed in $ROOT: run npm ci first" >&2
  exit 1
fi
# `credless` is also what the converted kubeconfig runs as kubectl's exec plugin.
export PATH="$ROOT/node_modules/.bin:$PATH"

APP_NAME="${APP_NAME:-credless-aks}"
ENVIRONMENT="${ENVIRONMENT:-dev}"
GITHUB_REPOSITORY="${GITHUB_REPOSITORY:-credless-demo/credless-in-azure-samples}"
RUN_NUMBER="${RUN_NUMBER:-1}"
CLUSTER="$ENVIRONMENT-aks"
CLUSTER_RG="rg-$ENVIRONMENT-aks"
ACR_NAME_WANTED="${ACR_NAME_WANTED:-acr${ENVIRONMENT}credless}"
GRAPH_API=00000003-0000-0000-c000-000000000000
USER_READ_ALL=df021288-bdef-4463-88db-98f22de89214
# What the deploying identity needs on the Graph-compatible API (set up once, as part 1 of the series does).
APPLICATION_READWRITE_ALL=1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9
APPROLEASSIGNMENT_READWRITE_ALL=06b708a9-e830-4db3-a914-8e69da51d44f
GROUP_READWRITE_ALL=62a82d76-70ea-41e2-9197-370581804d09

step=0
heading() {
  step=$((step + 1))
  printf '\n== %d. %s\n' "$step" "$1"
}
# The seed's `echo "::set-output name=…"`: name=value lines in $GITHUB_OUTPUT, when set.
set_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}
# One JSON field of standard input (no jq needed): json_field value
json_field() {
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v===undefined)process.exit(1);process.stdout.write(String(v))})' "$1"
}

# The job's scratch space (the runner's RUNNER_TEMP): session, kubeconfig, token cache, build contexts.
RUNNER_TEMP="$(mktemp -d "${TMPDIR:-/tmp}/credless-seed.XXXXXX")"
SERVER_PID=""
cleanup() {
  local status=$?
  set +e # cleaning up: keep going whatever the server's exit status
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$RUNNER_TEMP"
  exit "$status"
}
trap cleanup EXIT

if [ -z "${CREDLESS_URL:-}" ]; then
  heading "Start credless (a temporary data directory; stopped at the end)"
  DATA_DIR="$RUNNER_TEMP/data"
  port="$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  export CREDLESS_URL="https://localhost:$port"
  credless up --data-dir "$DATA_DIR" --port "$port" >"$RUNNER_TEMP/credless.log" 2>&1 &
  SERVER_PID=$!
else
  DATA_DIR="${CREDLESS_DATA_DIR:-$PWD/.credless}"
  if [ ! -f "$DATA_DIR/tls/ca.crt" ]; then
    echo "CREDLESS_URL is $CREDLESS_URL, but $DATA_DIR holds no credless (no tls/ca.crt):" >&2
    echo "set CREDLESS_DATA_DIR to the data directory of that credless" >&2
    exit 1
  fi
fi
export CREDLESS_URL="${CREDLESS_URL%/}"
export CREDLESS_DATA_DIR="$DATA_DIR" CREDLESS_AUTHORITY="$CREDLESS_URL"
export CREDLESS_CONFIG_DIR="$RUNNER_TEMP/config" XDG_CACHE_HOME="$RUNNER_TEMP/cache" KUBECONFIG="$RUNNER_TEMP/kubeconfig"
export NODE_EXTRA_CA_CERTS="$DATA_DIR/tls/ca.crt"

for _ in $(seq 1 120); do
  if [ -f "$NODE_EXTRA_CA_CERTS" ] && curl -fsS --cacert "$NODE_EXTRA_CA_CERTS" "$CREDLESS_URL/readyz" >/dev/null 2>&1; then
    break
  fi
  if [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$RUNNER_TEMP/credless.log" >&2
    echo "credless up exited; its output is above" >&2
    exit 1
  fi
  sleep 0.5
done
if ! curl -fsS --cacert "$NODE_EXTRA_CA_CERTS" "$CREDLESS_URL/readyz" >/dev/null 2>&1; then
  echo "no credless answering at $CREDLESS_URL with the CA $NODE_EXTRA_CA_CERTS:" >&2
  echo "start one (credless up) and set CREDLESS_URL and CREDLESS_DATA_DIR to its URL and data directory" >&2
  exit 1
fi
echo "credless at $CREDLESS_URL (data directory $DATA_DIR)"

heading "Prerequisite (part 1 of the series): the GitHub Actions identity, trusted through a federated credential"
AZURE_TENANT_ID="$(credless login --query tenantId -o tsv)" # the local administrator, for this one-time setup
DEPLOYER_APP_ID="$(credless ad sp create-for-rbac --name "github-actions-$APP_NAME" --query appId -o tsv)"
credless ad app federated-credential create --id "$DEPLOYER_APP_ID" -o none --parameters "{
  \"name\": \"github-main\", \"issuer\": \"$CREDLESS_URL/github-actions\",
  \"subject\": \"repo:$GITHUB_REPOSITORY:ref:refs/heads/main\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
credless ad app permission add --id "$DEPLOYER_APP_ID" --api "$GRAPH_API" -o none --api-permissions \
  "$APPLICATION_READWRITE_ALL=Role" "$APPROLEASSIGNMENT_READWRITE_ALL=Role" "$GROUP_READWRITE_ALL=Role"
credless ad app permission admin-consent --id "$DEPLOYER_APP_ID" -o none
# The subscription's Owner (part 1's `create-for-rbac --role owner --scopes /subscriptions/…`): the job assigns
# AKS and AcrPull roles below, which Resource Manager allows only to Owners and User Access Administrators.
# A local tenant's one subscription has the tenant's id.
credless role assignment create --role Owner --assignee "$DEPLOYER_APP_ID" --scope "/subscriptions/$AZURE_TENANT_ID" -o none
echo "deploying identity (secrets.AZURE_CLIENT_ID): $DEPLOYER_APP_ID"

heading "Log in with the federated credential (azure/login, in a GitHub Actions job of $GITHUB_REPOSITORY)"
job_env="$(credless ci env --repo "$GITHUB_REPOSITORY" --ref main --run-id "$RUN_NUMBER")"
eval "$job_env"
export AZURE_CLIENT_ID="$DEPLOYER_APP_ID" AZURE_TENANT_ID AZURE_AUTHORITY_HOST="$CREDLESS_URL"
curl -fsS --cacert "$NODE_EXTRA_CA_CERTS" -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | json_field value >"$RUNNER_TEMP/login-token"
credless login --service-principal -u "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" \
  --federated-token "@$RUNNER_TEMP/login-token" --query "{tenantId: tenantId, user: user.name}" -o tsv
rm -f "$RUNNER_TEMP/login-token"

heading "Create Azure AD AKS Admin Group"
adminGroupId="$(credless ad group list --display-name "$APP_NAME" --query "[0].objectId" -o tsv)"
if [ -z "$adminGroupId" ]; then
  adminGroupId="$(credless ad group create --display-name "$APP_NAME" --mail-nickname "$APP_NAME" --query objectId -o tsv)"
fi
echo "adminGroupId=$adminGroupId"
set_output adminGroupId "$adminGroupId"

heading "Deploy AKS and ACR"
credless cluster create --name "$CLUSTER" --resource-group "$CLUSTER_RG" --enable-oidc-issuer \
  --enable-workload-identity --query "{name: name, issuer: oidcIssuerProfile.issuerUrl}" -o tsv
credless acr create --name "$ACR_NAME_WANTED" --resource-group "rg-$ENVIRONMENT-aks-acr" --query name -o tsv
aksId="$(credless cluster show -g "$CLUSTER_RG" -n "$CLUSTER" --query id -o tsv)"
# Bicep's aadProfile.adminGroupObjectIDs: the admin group administers the cluster.
credless role assignment create --role "Azure Kubernetes Service RBAC Cluster Admin" --assignee "$adminGroupId" \
  --scope "$aksId" --query roleDefinitionName -o tsv

heading "Assign AKS RBAC role to the GitHub Action user"
credless role assignment create --role "Azure Kubernetes Service RBAC Cluster Admin" --assignee "$AZURE_CLIENT_ID" \
  --scope "$aksId" --query "{role: roleDefinitionName, scope: scope}" -o tsv

heading "Get OIDCUrl"
oidcUrl="$(credless cluster show --resource-group "$CLUSTER_RG" --name "$CLUSTER" --query "oidcIssuerProfile.issuerUrl" -o tsv)"
echo "oidcUrl=$oidcUrl"
set_output oidcUrl "$oidcUrl"

heading "Get AKS Creds"
credless cluster get-credentials --resource-group "$CLUSTER_RG" --name "$CLUSTER" --overwrite-existing

heading "Convert kubeconfig for non-interactive use"
credless kubeconfig convert --login workloadidentity

heading "Retrieve id-token and store"
curl -fsS --cacert "$NODE_EXTRA_CA_CERTS" -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  -H "Accept: application/json; api-version=2.0" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | json_field value >"$RUNNER_TEMP/.token"
# The seed's jwtd: header and claims (never the token itself).
node -e 'const [h,p]=require("node:fs").readFileSync(process.argv[1],"utf8").trim().split(".");
  for (const part of [h,p]) console.log(JSON.stringify(JSON.parse(Buffer.from(part,"base64url")),null,1).replace(/\n\s*/g," "))' \
  "$RUNNER_TEMP/.token"
# kubectl's exec plugin (credless get-token) exchanges this token for the cluster API's audience.
export AZURE_FEDERATED_TOKEN_FILE="$RUNNER_TEMP/.token"
if command -v kubectl >/dev/null 2>&1; then
  version="$(kubectl get --raw /version | json_field gitVersion)"
  echo "kubectl get --raw /version: $version"
else
  echo "(kubectl is not installed: the cluster API check through the kubeconfig is left out)"
fi

heading "Install Mutating Admission Webhook"
# The local cluster admits pods through credless's own webhook (AdmissionReview over HTTPS), started with
# the cluster; its tenant comes from each ServiceAccount's annotation, as the seed's sed put it in the YAML.
echo "built into the local cluster $CLUSTER: nothing to install (tenant $AZURE_TENANT_ID)"

heading "Create Service Principal for Workload Identity"
APPLICATION_CLIENT_ID="$(credless ad sp create-for-rbac --name "sp-$APP_NAME" --query appId -o tsv)"
APPLICATION_OBJECT_ID="$(credless ad app show --id "$APPLICATION_CLIENT_ID" --query objectId -o tsv)"
export APPLICATION_CLIENT_ID APPLICATION_OBJECT_ID SERVICE_ACCOUNT_ISSUER="$oidcUrl"
echo "APPLICATION_CLIENT_ID=$APPLICATION_CLIENT_ID APPLICATION_OBJECT_ID=$APPLICATION_OBJECT_ID"
set_output APPLICATION_CLIENT_ID "$APPLICATION_CLIENT_ID"
set_output APPLICATION_OBJECT_ID "$APPLICATION_OBJECT_ID"

heading "Install Service Account"
# `cluster apply` fills ${VAR}s from the environment (the seed's sed) and refuses any left unset.
export NAMESPACE=azure-workload-identity-system SERVICE_ACCOUNT_NAME=workload-identity-sa
credless cluster apply -n "$CLUSTER" -f "$SEED_APP/k8s/serviceaccount.yaml"

heading "Establish Federated Credential"
sed "s|\${NAMESPACE}|$NAMESPACE|g; s|\${SERVICE_ACCOUNT_NAME}|$SERVICE_ACCOUNT_NAME|g; s|\${AKS_OIDC_ISSUER}|$oidcUrl|g" \
  "$SEED_APP/k8s/federated-credential.json" >"$RUNNER_TEMP/federated-credential.json"
present="$(credless rest --method GET --uri "$APPLICATION_OBJECT_ID/federatedIdentityCredentials" \
  --query "length(value[?name=='kubernetes-federated-credential'])" -o tsv)"
if [ "$present" = "0" ]; then
  # The seed's call, as written.
  credless rest --method POST --uri "$APPLICATION_OBJECT_ID/federatedIdentityCredentials" \
    --body "@$RUNNER_TEMP/federated-credential.json" --query "{name: name, subject: subject}" -o tsv
else
  # Already there: Graph's upsert by name puts the seed's values back (a no-op when they are the same),
  # so a run after someone changed it (an identity file applied, a description edited) still converges.
  credless rest --method PATCH \
    --uri "$APPLICATION_OBJECT_ID/federatedIdentityCredentials(name='kubernetes-federated-credential')" \
    --body "@$RUNNER_TEMP/federated-credential.json" -o none
  credless ad app federated-credential show --id "$APPLICATION_CLIENT_ID" \
    --federated-credential-id kubernetes-federated-credential --query "{name: name, subject: subject}" -o tsv
fi

heading "Retrieve name of Container Registry"
acrName="$(credless acr show --name "$ACR_NAME_WANTED" --query name -o tsv)"
echo "acrName=$acrName"
set_output acrName "$acrName"

heading "Integrate ACR and AKS"
credless cluster update -n "$CLUSTER" -g "$CLUSTER_RG" --attach-acr "$acrName" -o none
echo "$CLUSTER may pull from $acrName.azurecr.io"

# An image is a directory: the app plus its installed dependencies (what `npm ci` put in the repository).
build_image() {
  local name="$1" source="$2" context="$RUNNER_TEMP/build/$1"
  rm -rf "$context" && mkdir -p "$context"
  cp -R "$source/." "$context/"
  ln -s "$ROOT/node_modules" "$context/node_modules"
  credless acr build --registry "$acrName" --image "$name:$RUN_NUMBER" "$context"
}

heading "Build and push backend container to ACR"
build_image workload-identity-backend "$SEED_APP/backend"

heading "Build and push frontend container to ACR"
build_image workload-identity-frontend "$SEED_APP/frontend"

heading "Add Permissions (MS Graph User.Read.All)"
credless ad app permission add --id "$APPLICATION_CLIENT_ID" --api "$GRAPH_API" \
  --api-permissions "$USER_READ_ALL=Role" -o none
# On credless the grant is real admin consent: no portal click.
credless ad app permission grant --id "$APPLICATION_CLIENT_ID" --api "$GRAPH_API" -o none
echo "User.Read.All granted to sp-$APP_NAME"

heading "Deploy workload-identity-app"
export ACR_NAME="$acrName" IMAGE_TAG="$RUN_NUMBER" GRAPH_BASE_URL="$CREDLESS_URL/v1.0" \
  BACKEND_URL=http://workload-identity-backend
credless cluster apply -n "$CLUSTER" -f "$SEED_APP/k8s/deployment.yaml" -f "$SEED_APP/k8s/service.yaml"

heading "Browse the app (the seed's Services and ingresses blade)"
frontendUrl="$(credless cluster get services -n "$CLUSTER" --namespace "$NAMESPACE" -o json |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const r=JSON.parse(s).find((x)=>x.name==="workload-identity-frontend");if(!r)process.exit(1);process.stdout.write(r.url)})')"
echo "frontend: $frontendUrl"
page=""
for _ in $(seq 1 120); do
  page="$(curl -sS --max-time 10 "$frontendUrl/" 2>/dev/null)" || page=""
  case "$page" in *"organization name is "*) break ;; esac
  sleep 1
done
organization="$(printf '%s' "$page" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const m=/organization name is ([\s\S]*?)\.<br/.exec(s);if(!m)process.exit(1);process.stdout.write(m[1])})')" || {
  echo "the frontend at $frontendUrl does not show an organization name; pods and logs:" >&2
  credless cluster get pods -n "$CLUSTER" --namespace "$NAMESPACE" >&2
  printf '%s\n' "$page" >&2
  exit 1
}
set_output frontendUrl "$frontendUrl"
set_output organizationName "$organization"
echo "organization name: $organization"
