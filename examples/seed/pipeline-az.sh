#!/usr/bin/env bash
# The seed's GitHub Action ("Getting rid of credentials in Azure - Part 4"), step by step, with the REAL
# `az` and the REAL `kubectl`, only pointed at a local credless: az reaches login.microsoftonline.com,
# graph.microsoft.com and management.azure.com, which a private hosts file maps to credless.
#
#   sudo examples/seed/pipeline-az.sh      starts its own credless in `unshare --net --mount`
#                                           (support/az-namespace.sh) and stops it at the end
#   inside az-namespace.sh                  uses the credless that script started (run it as often as
#                                           you like: every step is idempotent)
#
# The only `credless` lines: the one-time setup of the GitHub Actions identity (part 1 of the series),
# the emulated GitHub token, `credless acr build` in place of `az acr build` (which needs Azure Blob
# storage for its upload), and `credless` as kubectl's exec plugin where kubelogin is not installed.
# Inputs (the seed's workflow inputs): APP_NAME, ENVIRONMENT, GITHUB_REPOSITORY, RUN_NUMBER, LOCATION.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SEED_APP="$ROOT/examples/seed-app"
if [ -z "${CREDLESS_AZ_NAMESPACE:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; then
    exec unshare --net --mount bash "$HERE/support/az-namespace.sh" bash "${BASH_SOURCE[0]}"
  fi
  echo "pipeline-az.sh points the real az at credless in a private network namespace: run it as root" >&2
  echo "(sudo $0), or inside: unshare --net --mount bash $HERE/support/az-namespace.sh bash $0" >&2
  exit 1
fi
for tool in az kubectl curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "pipeline-az.sh needs the real $tool" >&2; exit 1; }
done
export PATH="$ROOT/node_modules/.bin:$PATH"

APP_NAME="${APP_NAME:-credless-aks}"
ENVIRONMENT="${ENVIRONMENT:-dev}"
GITHUB_REPOSITORY="${GITHUB_REPOSITORY:-credless-demo/credless-in-azure-samples}"
RUN_NUMBER="${RUN_NUMBER:-1}"
LOCATION="${LOCATION:-norwayeast}"
CLUSTER="$ENVIRONMENT-aks"
CLUSTER_RG="rg-$ENVIRONMENT-aks"
ACR_RG="rg-$ENVIRONMENT-aks-acr"
ACR_NAME_WANTED="${ACR_NAME_WANTED:-acr${ENVIRONMENT}credless}"
GRAPH_API=00000003-0000-0000-c000-000000000000
USER_READ_ALL=df021288-bdef-4463-88db-98f22de89214
# What the deploying identity needs on Graph (set up once, as part 1 of the series does).
APPLICATION_READWRITE_ALL=1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9
APPROLEASSIGNMENT_READWRITE_ALL=06b708a9-e830-4db3-a914-8e69da51d44f
GROUP_READWRITE_ALL=62a82d76-70ea-41e2-9197-370581804d09

step=0
heading() {
  step=$((step + 1))
  printf '\n== %d. %s\n' "$step" "$1"
}
set_output() { # the seed's `echo "::set-output name=…"`
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}
# The seed's `sed -i 's|${VAR}|value|g'` on a copy, for the named variables (each must be set).
fill() {
  local file="$1" out="$RUNNER_TEMP/$(basename "$1")" script="" name
  shift
  for name in "$@"; do
    [ -n "${!name:-}" ] || { echo "fill $file: \$$name is not set" >&2; return 1; }
    script+="s|\${$name}|${!name}|g;"
  done
  sed "$script" "$file" >"$out"
  printf '%s' "$out"
}

# The job's scratch space and home (a fresh runner: az's login, the kubeconfig, the id token).
RUNNER_TEMP="$(mktemp -d "${TMPDIR:-/tmp}/credless-seed-az.XXXXXX")"
trap 'rm -rf "$RUNNER_TEMP"' EXIT
export HOME="$RUNNER_TEMP/home" AZURE_CONFIG_DIR="$RUNNER_TEMP/home/.azure"
export CREDLESS_CONFIG_DIR="$RUNNER_TEMP/credless-config" XDG_CACHE_HOME="$RUNNER_TEMP/cache"
export AZURE_CORE_ONLY_SHOW_ERRORS=true AZURE_CORE_NO_COLOR=true
unset KUBECONFIG # kubectl and az aks get-credentials use ~/.kube/config, as on the runner
mkdir -p "$HOME"
echo "credless at $CREDLESS_URL; $(az version --query '"azure-cli"' -o tsv | sed 's/^/az /'), kubectl $(kubectl version --client -o json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).clientVersion.gitVersion))')"

heading "Prerequisite (part 1 of the series): the GitHub Actions identity, trusted through a federated credential"
AZURE_TENANT_ID="$(credless login --query tenantId -o tsv)" # the local administrator, for this one-time setup
DEPLOYER_APP_ID="$(credless ad sp create-for-rbac --name "github-actions-$APP_NAME" --query appId -o tsv)"
credless ad app federated-credential create --id "$DEPLOYER_APP_ID" -o none --parameters "{
  \"name\": \"github-main\", \"issuer\": \"$CREDLESS_URL/github-actions\",
  \"subject\": \"repo:$GITHUB_REPOSITORY:ref:refs/heads/main\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
credless ad app permission add --id "$DEPLOYER_APP_ID" --api "$GRAPH_API" -o none --api-permissions \
  "$APPLICATION_READWRITE_ALL=Role" "$APPROLEASSIGNMENT_READWRITE_ALL=Role" "$GROUP_READWRITE_ALL=Role"
credless ad app permission admin-consent --id "$DEPLOYER_APP_ID" -o none
# The seed's deployer owns the subscription ("As the owner of the sub …").
credless role assignment create --assignee "$DEPLOYER_APP_ID" --role Owner --scope "/subscriptions/$AZURE_TENANT_ID" -o none
echo "deploying identity (secrets.AZURE_CLIENT_ID): $DEPLOYER_APP_ID, Owner of /subscriptions/$AZURE_TENANT_ID"

heading "Log in with the federated credential (azure/login, in a GitHub Actions job of $GITHUB_REPOSITORY)"
eval "$(credless ci env --repo "$GITHUB_REPOSITORY" --ref main --run-id "$RUN_NUMBER")"
export AZURE_CLIENT_ID="$DEPLOYER_APP_ID" AZURE_TENANT_ID
az login --service-principal -u "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" --federated-token "$(
  curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
    "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | jq -r .value
)" --query "[].{subscription: id, tenant: tenantId, user: user.name}" -o tsv

heading "Create Azure AD AKS Admin Group"
adminGroupId="$(az ad group list --display-name "$APP_NAME" --query "[0].id" -o tsv)"
if [ -z "$adminGroupId" ]; then
  adminGroupId="$(az ad group create --display-name "$APP_NAME" --mail-nickname "$APP_NAME" --query id -o tsv)"
fi
echo "adminGroupId=$adminGroupId"
set_output adminGroupId "$adminGroupId"

heading "Deploy AKS and ACR"
# The seed deploys main.bicep (az deployment sub create); these are the resources it declares.
az group create --name "$CLUSTER_RG" --location "$LOCATION" --query "[name, properties.provisioningState]" -o tsv
# az 2.45 has no --enable-workload-identity (2.47 has): the property is set with az resource update below.
az aks create --resource-group "$CLUSTER_RG" --name "$CLUSTER" --enable-oidc-issuer --no-ssh-key \
  --query "[name, provisioningState]" -o tsv
az resource update --ids "$(az aks show -g "$CLUSTER_RG" -n "$CLUSTER" --query id -o tsv)" \
  --set properties.securityProfile.workloadIdentity.enabled=true --query properties.securityProfile.workloadIdentity -o tsv
az group create --name "$ACR_RG" --location "$LOCATION" --query "[name, properties.provisioningState]" -o tsv
# az acr create checks that the name is free: the registry is created once (Bicep would converge it).
if [ -z "$(az acr list --resource-group "$ACR_RG" --query "[?name=='$ACR_NAME_WANTED'].name" -o tsv)" ]; then
  az acr create --resource-group "$ACR_RG" --name "$ACR_NAME_WANTED" --sku Basic --query "[name, loginServer]" -o tsv
fi
# Bicep's aadProfile.adminGroupObjectIDs: the admin group administers the cluster.
az role assignment create --role "Azure Kubernetes Service RBAC Cluster Admin" --assignee "$adminGroupId" \
  --scope "$(az aks show -g "$CLUSTER_RG" -n "$CLUSTER" --query id -o tsv)" --query "[principalType, scope]" -o tsv

heading "Assign AKS RBAC role to the GitHub Action user"
aksId=$(az aks show -g "$CLUSTER_RG" -n "$CLUSTER" --query id -o tsv)
az role assignment create --role "Azure Kubernetes Service RBAC Cluster Admin" --assignee "$AZURE_CLIENT_ID" --scope "$aksId" \
  --query "[principalType, scope]" -o tsv

heading "Get OIDCUrl"
oidcUrl=$(az aks show --resource-group "$CLUSTER_RG" --name "$CLUSTER" --query "oidcIssuerProfile.issuerUrl" -o tsv)
echo "oidcUrl=$oidcUrl"
set_output oidcUrl "$oidcUrl"

heading "Get AKS Creds"
az aks get-credentials --resource-group "$CLUSTER_RG" --name "$CLUSTER"

heading "Convert kubeconfig for non-interactive use"
if command -v kubelogin >/dev/null 2>&1; then
  kubelogin convert-kubeconfig -l workloadidentity
else
  # kubelogin is not installed here: credless's convert writes the same workloadidentity exec user,
  # with `credless get-token` as the exec plugin.
  credless kubeconfig convert --login workloadidentity --kubeconfig "$HOME/.kube/config" \
    --command "$ROOT/node_modules/.bin/credless" -o - >"$RUNNER_TEMP/kubeconfig"
  cp "$RUNNER_TEMP/kubeconfig" "$HOME/.kube/config"
  echo "converted $HOME/.kube/config (exec plugin: credless get-token --login workloadidentity)"
fi

heading "Retrieve id-token and store"
IDTOKEN=$(curl -sSL -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" -H "Accept: application/json; api-version=2.0" \
  -H "Content-Type: application/json" "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange" | jq -r '.value')
echo "$IDTOKEN" >"${RUNNER_TEMP}/.token"
# The seed's jwtd: header and claims (never the token itself).
node -e 'for (const part of process.argv[1].split(".").slice(0, 2)) console.log(Buffer.from(part, "base64url").toString())' "$IDTOKEN"
unset IDTOKEN
# kubelogin's workloadidentity login reads these (as azure/login leaves them in the job).
export AZURE_FEDERATED_TOKEN_FILE="$RUNNER_TEMP/.token" AZURE_AUTHORITY_HOST="$CREDLESS_URL/"

heading "Install Mutating Admission Webhook"
# The local cluster admits pods through credless's own webhook (over HTTPS); what it stores of the
# webhook's manifest is the namespace and the configuration naming the tenant.
kubectl apply -f "$(fill "$HERE/support/azure-wi-webhook.yaml" AZURE_TENANT_ID)"

heading "Create Service Principal for Workload Identity"
appId=$(az ad sp create-for-rbac --name "sp-$APP_NAME" --query appId -o tsv)
export APPLICATION_CLIENT_ID=$appId
export APPLICATION_OBJECT_ID=$(az ad app show --id "$appId" --query id -o tsv)
export SERVICE_ACCOUNT_ISSUER=$oidcUrl
echo "APPLICATION_CLIENT_ID=$APPLICATION_CLIENT_ID APPLICATION_OBJECT_ID=$APPLICATION_OBJECT_ID"
set_output APPLICATION_OBJECT_ID "$APPLICATION_OBJECT_ID"
set_output APPLICATION_CLIENT_ID "$APPLICATION_CLIENT_ID"

heading "Install Service Account"
export NAMESPACE=azure-workload-identity-system SERVICE_ACCOUNT_NAME=workload-identity-sa
kubectl apply -f "$(fill "$SEED_APP/k8s/serviceaccount.yaml" NAMESPACE SERVICE_ACCOUNT_NAME APPLICATION_CLIENT_ID AZURE_TENANT_ID)"

heading "Establish Federated Credential"
AKS_OIDC_ISSUER=$oidcUrl
credential="$(fill "$SEED_APP/k8s/federated-credential.json" NAMESPACE SERVICE_ACCOUNT_NAME AKS_OIDC_ISSUER)"
credentials="https://graph.microsoft.com/v1.0/applications/$APPLICATION_OBJECT_ID/federatedIdentityCredentials"
if [ "$(az rest --method GET --uri "$credentials" --query "length(value[?name=='kubernetes-federated-credential'])")" = 0 ]; then
  az rest --method POST --uri "$credentials" --body "@$credential" --query "[name, subject]" -o tsv
else
  # The seed's step continues on error when it exists; Graph's upsert by name puts the seed's values back.
  az rest --method PATCH --uri "$credentials(name='kubernetes-federated-credential')" --body "@$credential"
  az rest --method GET --uri "$credentials(name='kubernetes-federated-credential')" --query "[name, subject]" -o tsv
fi

heading "Retrieve name of Container Registry"
acrName=$(az acr list -g "$ACR_RG" -o tsv --query [0].name)
echo "acrName=$acrName"
set_output acrName "$acrName"

heading "Integrate ACR and AKS"
# What `az aks update --attach-acr` does: AcrPull for the cluster's kubelet identity on the registry.
# The seed's command itself stops before its PUT with az 2.45 here: the managed cluster has no
# networkProfile, which az's update reads ("Encounter an unexpected error while getting network profile").
kubeletId=$(az aks show -n "$CLUSTER" -g "$CLUSTER_RG" --query identityProfile.kubeletidentity.objectId -o tsv)
acrId=$(az acr show -n "$acrName" --query id -o tsv)
az role assignment create --role AcrPull --assignee-object-id "$kubeletId" --assignee-principal-type ServicePrincipal \
  --scope "$acrId" --query "[principalId, scope]" -o tsv
echo "$CLUSTER may pull from $acrName.azurecr.io"

# An image is a directory: the app plus its installed dependencies (what `npm ci` put in the repository).
build_image() {
  local name="$1" source="$2" context="$RUNNER_TEMP/build/$1"
  rm -rf "$context" && mkdir -p "$context"
  cp -R "$source/." "$context/"
  ln -s "$ROOT/node_modules" "$context/node_modules"
  # az acr build uploads the context to Azure Blob storage, which credless does not have.
  credless acr build --registry "$acrName" --image "$name:$RUN_NUMBER" "$context"
}

heading "Build and push backend container to ACR"
build_image workload-identity-backend "$SEED_APP/backend"

heading "Build and push frontend container to ACR"
build_image workload-identity-frontend "$SEED_APP/frontend"

heading "Add Permissions (MS Graph User.Read.All)"
az ad app permission add --id "$APPLICATION_CLIENT_ID" --api "$GRAPH_API" --api-permissions "$USER_READ_ALL=Role"
# The seed's article: an application permission needs admin consent, which the portal's button gives.
az ad app permission admin-consent --id "$APPLICATION_CLIENT_ID"
echo "User.Read.All granted to sp-$APP_NAME"

heading "Deploy workload-identity-app"
export ACR_NAME="$acrName" IMAGE_TAG="$RUN_NUMBER" GRAPH_BASE_URL="https://graph.microsoft.com/v1.0" \
  BACKEND_URL=http://workload-identity-backend
app_vars=(NAMESPACE SERVICE_ACCOUNT_NAME ACR_NAME IMAGE_TAG GRAPH_BASE_URL BACKEND_URL)
# Services first, as Kubernetes' configuration best practices say: a pod sees the Services that exist
# when it starts (the local runtime points BACKEND_URL at the backend Service's address then).
kubectl apply -f "$(fill "$SEED_APP/k8s/service.yaml" "${app_vars[@]}")" -f "$(fill "$SEED_APP/k8s/deployment.yaml" "${app_vars[@]}")"
for deployment in workload-identity-backend workload-identity-frontend; do
  kubectl rollout status "deployment/$deployment" -n "$NAMESPACE" --timeout=180s || {
    kubectl get pods -n "$NAMESPACE" >&2
    kubectl describe pods -n "$NAMESPACE" -l "app=$deployment" >&2
    exit 1
  }
done
kubectl get pods -n "$NAMESPACE"

heading "Browse the app (the seed's Services and ingresses blade)"
# The local cluster has no cloud load balancer (EXTERNAL-IP stays <pending>, as on kind or minikube):
# its one node is this machine, and a LoadBalancer Service is reached at the node's address and node port.
nodePort="$(kubectl get service workload-identity-frontend -n "$NAMESPACE" -o jsonpath='{.spec.ports[0].nodePort}')"
if [ -z "$nodePort" ]; then
  echo "the Service workload-identity-frontend has no node port:" >&2
  kubectl get service workload-identity-frontend -n "$NAMESPACE" -o yaml >&2
  exit 1
fi
frontendUrl="http://127.0.0.1:$nodePort"
echo "frontend: $frontendUrl"
page=""
for _ in $(seq 1 120); do
  page="$(curl -sS --max-time 10 "$frontendUrl/" 2>/dev/null)" || page=""
  case "$page" in *"organization name is "*) break ;; esac
  sleep 1
done
organization="$(node -e 'const m=/organization name is ([\s\S]*?)\.<br/.exec(process.argv[1]);process.stdout.write(m?m[1]:"")' "$page")"
if [ -z "$organization" ]; then
  echo "the frontend at $frontendUrl does not show an organization name; pods and logs:" >&2
  kubectl get pods -n "$NAMESPACE" >&2
  kubectl logs deployment/workload-identity-backend -n "$NAMESPACE" --tail 40 >&2 || true
  printf '%s\n' "$page" >&2
  exit 1
fi
set_output frontendUrl "$frontendUrl"
set_output organizationName "$organization"
echo "organization name: $organization"
