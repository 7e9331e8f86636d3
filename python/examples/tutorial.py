# The Keras SimpleRNN tutorial (DataTechNotes, 2018) on recur: tutorial_keras.py with its two
# Keras import lines changed to recur.keras, nothing else. n = 2000, split 900, 50 epochs.
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from recur.keras.models import Sequential
from recur.keras.layers import Dense, SimpleRNN

step = 4
N = 2000
Tp = 900

t = np.arange(0, N)
x = np.sin(0.02 * t) + np.random.rand(N)
df = pd.DataFrame(x)
df.head()

plt.plot(df)
plt.show()

values = df.values
train, test = values[0:Tp, :], values[Tp:N, :]

# add step elements into train and test
test = np.append(test, np.repeat(test[-1,], step))
train = np.append(train, np.repeat(train[-1,], step))


def convertToMatrix(data, step):
    X, Y = [], []
    for i in range(len(data) - step):
        d = i + step
        X.append(data[i:d,])
        Y.append(data[d,])
    return np.array(X), np.array(Y)


trainX, trainY = convertToMatrix(train, step)
testX, testY = convertToMatrix(test, step)
trainX = np.reshape(trainX, (trainX.shape[0], 1, trainX.shape[1]))
testX = np.reshape(testX, (testX.shape[0], 1, testX.shape[1]))

model = Sequential()
model.add(SimpleRNN(units=32, input_shape=(1, step), activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1))
model.compile(loss='mean_squared_error', optimizer='rmsprop')
model.summary()

model.fit(trainX, trainY, epochs=50, batch_size=16, verbose=2)
trainPredict = model.predict(trainX)
testPredict = model.predict(testX)
predicted = np.concatenate((trainPredict, testPredict), axis=0)

trainScore = model.evaluate(trainX, trainY, verbose=0)
print(trainScore)

new_input = testX[-1, :, :]
new_input = np.reshape(new_input, (1, 1, step))
new_prediction = model.predict(new_input)
print(new_prediction[0, 0])

index = df.index.values
plt.plot(index, df)
plt.plot(index, predicted)
plt.axvline(df.index[Tp], c="r")
plt.show()
